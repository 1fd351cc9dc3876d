package org.ferry.catalog;

import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Tasks in the catalog. Status changes are conditional on the current status, so a finished task stays finished. */
public final class TaskRepository {
    private final Jdbi jdbi;

    public TaskRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void create(Task t) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO tasks (id, type, status, owner, image_id, request_id, user_id, "
                        + "input, result, message, expires_at, created_at, updated_at) VALUES (:id, :type, :status, "
                        + ":owner, :image, :req, :user, :input, :result, :message, :expires, :created, :updated)")
                .bind("id", t.id()).bind("type", t.type()).bind("status", t.status()).bind("owner", t.owner())
                .bind("image", t.imageId()).bind("req", t.requestId()).bind("user", t.userId())
                .bind("input", t.input()).bind("result", t.result()).bind("message", t.message())
                .bind("expires", ImageRepository.utc(t.expiresAt())).bind("created", ImageRepository.utc(t.createdAt()))
                .bind("updated", ImageRepository.utc(t.updatedAt())).execute());
    }

    public Optional<Task> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE id = ? AND deleted = FALSE").bind(0, id)
                .map((rs, ctx) -> task(rs)).findOne());
    }

    /** Tasks of an image that have not expired, oldest first. */
    public List<Task> forImage(String imageId, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE image_id = :i AND deleted = FALSE "
                        + "AND (expires_at IS NULL OR expires_at > :now) ORDER BY created_at")
                .bind("i", imageId).bind("now", ImageRepository.utc(now)).map((rs, ctx) -> task(rs)).list());
    }

    /** A task that has not been deleted or expired at {@code now}: a list marker must be one. */
    public Optional<Task> findListed(String id, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE id = :id AND deleted = FALSE "
                        + "AND (expires_at IS NULL OR expires_at > :now)")
                .bind("id", id).bind("now", ImageRepository.utc(now)).map((rs, ctx) -> task(rs)).findOne());
    }

    /** One page of GET /v2/tasks. */
    public List<Task> list(TaskListQuery q) {
        TaskQuerySql sql = TaskQuerySql.build(q);
        return jdbi.withHandle(h -> h.createQuery(sql.sql()).bindMap(sql.params()).map((rs, ctx) -> task(rs)).list());
    }

    /** Tasks that have not ended: at start-up, each must have a job that will run it, or be cleaned up. */
    public List<Task> unfinished() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE deleted = FALSE "
                + "AND status IN ('pending', 'processing') ORDER BY created_at").map((rs, ctx) -> task(rs)).list());
    }

    public boolean moveStatus(String id, String from, String to) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET status = :to, updated_at = :now "
                        + "WHERE id = :id AND status = :from")
                .bind("to", to).bind("from", from).bind("id", id).bind("now", ImageRepository.utc(ImageRepository.now()))
                .execute() == 1);
    }

    /** Progress or heartbeat: refreshes the message and updated_at of a task still running. */
    public void updateMessage(String id, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET message = :m, updated_at = :now WHERE id = :id "
                        + "AND status IN ('pending', 'processing')")
                .bind("m", message).bind("id", id).bind("now", ImageRepository.utc(ImageRepository.now())).execute());
    }

    /** Ends a task that has not ended yet. */
    public boolean finish(String id, String status, String result, String message, Instant expiresAt) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tasks SET status = :s, result = :r, message = :m, "
                        + "expires_at = :e, updated_at = :now WHERE id = :id AND status IN ('pending', 'processing')")
                .bind("s", status).bind("r", result).bind("m", message).bind("e", ImageRepository.utc(expiresAt))
                .bind("id", id).bind("now", ImageRepository.utc(ImageRepository.now())).execute() == 1);
    }

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getString("id"), rs.getString("type"), rs.getString("status"), rs.getString("owner"),
                rs.getString("image_id"), rs.getString("request_id"), rs.getString("user_id"), rs.getString("input"),
                rs.getString("result"), rs.getString("message"), ImageRepository.instant(rs, "expires_at"),
                ImageRepository.instant(rs, "created_at"), ImageRepository.instant(rs, "updated_at"));
    }
}
