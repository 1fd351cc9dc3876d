package org.ferry.api.members;

import org.ferry.testing.ApiClient;
import org.ferry.testing.TestFerry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.ferry.testing.ApiClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** image_member_quota: one member more than allowed is 413; removing one makes room again. */
class MemberQuotaTest {
    @RegisterExtension
    static final TestFerry ferry = TestFerry.perClass(c ->
            TestFerry.section(c, "DEFAULT").put("image_member_quota", "2"));

    @Test
    void overTheQuotaIs413() {
        ApiClient owner = ApiClient.member(ferry, "proj-owner");
        String id = owner.createRaw("");
        String path = "/v2/images/" + id + "/members";
        assertEquals(200, owner.post(path, "{\"member\":\"p1\"}").status());
        assertEquals(200, owner.post(path, "{\"member\":\"p2\"}").status());
        assertError(owner.post(path, "{\"member\":\"p3\"}"), 413, "Image member limit exceeded for image " + id
                + ": The limit has been exceeded on the number of allowed image members for this image. "
                + "Attempted: 3, Maximum: 2");
        // the quota is checked before the duplicate, as in Glance
        assertError(owner.post(path, "{\"member\":\"p1\"}"), 413, "Image member limit exceeded");
        assertEquals(204, owner.delete(path + "/p1").status());
        assertEquals(200, owner.post(path, "{\"member\":\"p3\"}").status());
        // another image has its own count
        String other = owner.createRaw("");
        assertEquals(200, owner.post("/v2/images/" + other + "/members", "{\"member\":\"p1\"}").status());
    }

    @Test
    void minusOneIsUnlimited(@TempDir Path other) {
        Map<String, Map<String, String>> c = TestFerry.defaults(other);
        TestFerry.section(c, "DEFAULT").put("image_member_quota", "-1");
        try (TestFerry f = TestFerry.start(other, c)) {
            ApiClient owner = ApiClient.member(f, "proj-owner");
            String id = owner.createRaw("");
            for (int i = 0; i < 140; i++) {
                assertEquals(200, owner.post("/v2/images/" + id + "/members", "{\"member\":\"m" + i + "\"}").status());
            }
        }
    }
}
