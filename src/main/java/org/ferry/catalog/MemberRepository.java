package org.ferry.catalog;

import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The image_members table: who an image is shared with. */
public final class MemberRepository {
    private final Jdbi jdbi;

    public MemberRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every member of an image, oldest first. */
    public List<Member> list(String imageId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM image_members WHERE image_id = ? ORDER BY created_at, id")
                .bind(0, imageId).map((rs, ctx) -> member(rs)).list());
    }

    public Optional<Member> find(String imageId, String memberId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM image_members WHERE image_id = ? AND member = ?")
                .bind(0, imageId).bind(1, memberId).map((rs, ctx) -> member(rs)).findOne());
    }

    public int count(String imageId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM image_members WHERE image_id = ?")
                .bind(0, imageId).mapTo(Integer.class).one());
    }

    /** Adds a pending member; empty if the project already is a member (the unique key decides, not a read). */
    public Optional<Member> add(String imageId, String memberId) {
        Instant now = ImageRepository.now();
        int n = jdbi.withHandle(h -> h.createUpdate("INSERT INTO image_members (image_id, member, status, created_at, "
                        + "updated_at) VALUES (:i, :m, :s, :t, :t) ON CONFLICT DO NOTHING")
                .bind("i", imageId).bind("m", memberId).bind("s", Member.PENDING).bind("t", ImageRepository.utc(now))
                .execute());
        return n == 1 ? Optional.of(new Member(imageId, memberId, Member.PENDING, now, now)) : Optional.empty();
    }

    /** Sets a member's status; empty if it is no longer a member. */
    public Optional<Member> setStatus(String imageId, String memberId, String status) {
        Instant now = ImageRepository.now();
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE image_members SET status = :s, updated_at = :t "
                        + "WHERE image_id = :i AND member = :m")
                .bind("s", status).bind("t", ImageRepository.utc(now)).bind("i", imageId).bind("m", memberId)
                .execute());
        return n == 1 ? find(imageId, memberId) : Optional.empty();
    }

    public boolean remove(String imageId, String memberId) {
        return jdbi.withHandle(h -> h.execute("DELETE FROM image_members WHERE image_id = ? AND member = ?",
                imageId, memberId)) == 1;
    }

    private static Member member(ResultSet rs) throws SQLException {
        return new Member(rs.getString("image_id"), rs.getString("member"), rs.getString("status"),
                ImageRepository.instant(rs, "created_at"), ImageRepository.instant(rs, "updated_at"));
    }
}
