package org.ferry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTest {

    private static final String OWNER = "p-owner";
    private static final String OTHER = "p-other";

    private static RequestContext ctx(String project, String... roles) {
        return new RequestContext("req-1", "u-1", project, Set.of(roles), "token", List.of(), false);
    }

    /** A user token of {@code project} sent with a valid service token of nova-user holding {@code serviceRoles}. */
    private static RequestContext serviceCall(String project, Set<String> roles, String... serviceRoles) {
        return new RequestContext("req-1", "u-1", project, roles, "token", List.of(), false,
                new RequestContext.ServiceCaller("nova-user", "services", Set.of(serviceRoles)));
    }

    private static Map<String, Object> image(String visibility) {
        Map<String, Object> target = new HashMap<>();
        target.put("project_id", OWNER);
        target.put("owner", OWNER);
        target.put("visibility", visibility);
        return target;
    }

    @Nested
    class Parser {

        private final Map<String, PolicyRule> named = Map.of(
                "yes", PolicyRule.parse("@"),
                "no", PolicyRule.parse("!"));

        private boolean eval(String rule, Set<String> roles, Map<String, ?> creds, Map<String, ?> target) {
            PolicyRule.Scope scope = new PolicyRule.Scope(
                    roles, creds, target, name -> Optional.ofNullable(named.get(name)));
            return PolicyRule.parse(rule).test(scope);
        }

        private boolean eval(String rule, String... roles) {
            return eval(rule, Set.of(roles), Map.of(), Map.of());
        }

        @Test
        void constantsAndEmpty() {
            assertTrue(eval(""));
            assertTrue(eval("   "));
            assertTrue(eval("@"));
            assertFalse(eval("!"));
        }

        @Test
        void notBindsTighterThanAndWhichBindsTighterThanOr() {
            // a or b and c  ==  a or (b and c)
            assertTrue(eval("role:a or role:b and role:c", "a"));
            assertFalse(eval("role:a or role:b and role:c", "b"));
            // not a and b  ==  (not a) and b
            assertTrue(eval("not role:a and role:b", "b"));
            assertFalse(eval("not role:a and role:b"));
            assertInstanceOf(PolicyRule.Or.class, PolicyRule.parse("role:a or role:b and role:c"));
            assertInstanceOf(PolicyRule.And.class, PolicyRule.parse("not role:a and role:b"));
        }

        @Test
        void parenthesesOverridePrecedence() {
            assertFalse(eval("(role:a or role:b) and role:c", "a"));
            assertTrue(eval("(role:a or role:b) and role:c", "a", "c"));
            assertTrue(eval("not (role:a and role:b)", "a"));
            assertFalse(eval("not(role:a and role:b)", "a", "b"));
            assertTrue(eval("((role:a))", "a"));
        }

        @Test
        void keywordsAreCaseInsensitive() {
            assertTrue(eval("role:x OR role:a AND NOT role:b", "a"));
            assertFalse(eval("Not role:a", "a"));
        }

        @Test
        void roleMatchIgnoresCase() {
            assertTrue(eval("role:Admin", "admin"));
            assertTrue(eval("role:admin", "ADMIN"));
            assertFalse(eval("role:admin", "member"));
        }

        @Test
        void ruleReferenceResolvesAndUnknownDenies() {
            assertTrue(eval("rule:yes"));
            assertFalse(eval("rule:no"));
            assertFalse(eval("rule:missing"));
            assertTrue(eval("rule:missing or rule:yes"));
        }

        @Test
        void credentialAgainstTarget() {
            String rule = "project_id:%(project_id)s";
            assertTrue(eval(rule, Set.of(), Map.of("project_id", "p1"), Map.of("project_id", "p1")));
            assertFalse(eval(rule, Set.of(), Map.of("project_id", "p1"), Map.of("project_id", "p2")));
            assertFalse(eval(rule, Set.of(), Map.of("project_id", "p1"), Map.of()));
            assertFalse(eval(rule, Set.of(), Map.of(), Map.of("project_id", "p1")));
            Map<String, Object> nullTarget = new HashMap<>();
            nullTarget.put("project_id", null);
            assertFalse(eval(rule, Set.of(), new HashMap<>(nullTarget), nullTarget));
        }

        @Test
        void literalAgainstTarget() {
            assertTrue(eval("'public':%(visibility)s", Set.of(), Map.of(), Map.of("visibility", "public")));
            assertFalse(eval("'public':%(visibility)s", Set.of(), Map.of(), Map.of("visibility", "private")));
            assertFalse(eval("'public':%(visibility)s", Set.of(), Map.of(), Map.of()));
            assertTrue(eval("'True':%(protected)s", Set.of(), Map.of(), Map.of("protected", true)));
            assertTrue(eval("\"a b\":%(name)s", Set.of(), Map.of(), Map.of("name", "a b")));
        }

        @Test
        void credentialAgainstLiteral() {
            assertTrue(eval("is_admin:True", Set.of(), Map.of("is_admin", "True"), Map.of()));
            assertTrue(eval("is_admin:true", Set.of(), Map.of("is_admin", "True"), Map.of()));
            assertFalse(eval("is_admin:True", Set.of(), Map.of("is_admin", "False"), Map.of()));
            assertTrue(eval("user_id:u1", Set.of(), Map.of("user_id", "u1"), Map.of()));
            assertFalse(eval("user_id:U1", Set.of(), Map.of("user_id", "u1"), Map.of()));
            assertTrue(eval("roles:admin", Set.of(), Map.of("roles", Set.of("admin", "reader")), Map.of()));
        }

        @Test
        void syntaxErrorsNameTheRuleText() {
            for (String bad : List.of(
                    "role:a and", "(role:a", "role:a)", "or role:a", "role:a role:b", "nonsense",
                    "role:", "project_id:%(project_id", "'public'%(visibility)s", "not", "()")) {
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> PolicyRule.parse(bad), bad);
                assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
            }
        }
    }

    @Nested
    class GlanceDefaults {

        private final Policy policy = Policy.defaults();

        @Test
        void adminMayDoEverything() {
            RequestContext admin = ctx(OTHER, "admin");
            for (String rule : List.of("get_image", "modify_image", "delete_image", "publicize_image",
                    "download_image", "add_member", "manage_image_cache", "stores_info_detail", "copy_image")) {
                assertTrue(policy.allows(rule, admin, image("private")), rule);
            }
        }

        @Test
        void memberOwnerManagesOwnImage() {
            RequestContext owner = ctx(OWNER, "member", "reader");
            Map<String, Object> target = image("private");
            assertTrue(policy.allows("get_image", owner, target));
            assertTrue(policy.allows("add_image", owner, target));
            assertTrue(policy.allows("modify_image", owner, target));
            assertTrue(policy.allows("upload_image", owner, target));
            assertTrue(policy.allows("download_image", owner, target));
            assertTrue(policy.allows("delete_image", owner, target));
            assertFalse(policy.allows("publicize_image", owner, target));
            assertFalse(policy.allows("copy_image", owner, target));
        }

        @Test
        void addImageRequiresOwnerToBeTheCaller() {
            Map<String, Object> target = image("private");
            target.put("owner", OTHER);
            assertFalse(policy.allows("add_image", ctx(OWNER, "member"), target));
        }

        @Test
        void otherProjectMemberSeesPublicButNotPrivateImages() {
            RequestContext stranger = ctx(OTHER, "member", "reader");
            assertFalse(policy.allows("get_image", stranger, image("private")));
            assertFalse(policy.allows("download_image", stranger, image("private")));
            assertTrue(policy.allows("get_image", stranger, image("public")));
            assertTrue(policy.allows("download_image", stranger, image("public")));
            assertTrue(policy.allows("get_image", stranger, image("community")));
            assertFalse(policy.allows("modify_image", stranger, image("public")));
            assertFalse(policy.allows("delete_image", stranger, image("public")));
        }

        @Test
        void imageMemberProjectMayReadSharedImage() {
            RequestContext member = ctx(OTHER, "member", "reader");
            Map<String, Object> target = image("private");
            target.put("member_id", OTHER);
            assertTrue(policy.allows("get_member", member, target));
            assertTrue(policy.allows("modify_member", member, target));
            assertTrue(policy.allows("download_image", member, target));
            assertFalse(policy.allows("add_member", member, target));
        }

        @Test
        void readerMayGetButNotDownload() {
            RequestContext reader = ctx(OWNER, "reader");
            assertTrue(policy.allows("get_image", reader, image("private")));
            assertTrue(policy.allows("get_images", reader, image("private")));
            assertFalse(policy.allows("download_image", reader, image("private")));
            assertFalse(policy.allows("modify_image", reader, image("private")));
        }

        @Test
        void storesInfoDetailForServiceButNotMember() {
            assertTrue(policy.allows("stores_info_detail", ctx("svc", "service"), Map.of()));
            assertTrue(policy.allows("fetch_image_location", ctx("svc", "service"), Map.of()));
            assertFalse(policy.allows("stores_info_detail", ctx(OWNER, "member", "reader"), Map.of()));
        }

        @Test
        void tasksAreOpenToAnyone() {
            assertTrue(policy.allows("get_tasks", ctx(OTHER), null));
        }

        /**
         * Glance's service_api is {@code role:service or role:admin}, tested against the user token's roles: the
         * roles of an X-Service-Token (service_roles) do not satisfy it, as oslo.policy's role check reads
         * {@code roles} only. Cinder's owner-project user with its service token passes add_image_location as a
         * member of the owner project, and not fetch_image_location.
         */
        @Test
        void serviceTokenRolesDoNotSatisfyRoleChecks() {
            RequestContext withServiceToken = serviceCall(OWNER, Set.of("member", "reader"), "service", "admin");
            assertTrue(policy.allows("add_image_location", withServiceToken, image("private")));
            assertFalse(policy.allows("fetch_image_location", withServiceToken, image("private")));
            assertFalse(policy.allows("service_api", withServiceToken, Map.of()));
            assertFalse(policy.allows("publicize_image", withServiceToken, image("private")), "admin of the service");
            assertFalse(policy.allows("add_image_location", serviceCall(OTHER, Set.of("member", "reader"), "service"),
                    image("private")), "another project's user with a service token");
            assertTrue(policy.allows("fetch_image_location", ctx(OTHER, "service"), image("private")));
        }

        @Test
        void unknownRuleFallsBackToDefault() {
            assertTrue(policy.allows("no_such_rule", ctx(OTHER), Map.of()));
        }

        @Test
        void enforceThrowsWithRuleName() {
            PolicyDeniedException e = assertThrows(PolicyDeniedException.class,
                    () -> policy.enforce("publicize_image", ctx(OWNER, "member"), image("private")));
            assertEquals("publicize_image", e.rule());
            policy.enforce("publicize_image", ctx(OWNER, "admin"), image("private"));
        }
    }

    @Nested
    class PolicyFiles {

        @TempDir
        Path dir;

        @Test
        void yamlFileOverridesDefaults() throws IOException {
            Path file = Files.writeString(dir.resolve("policy.yaml"), """
                    # operators only publicize through the service account
                    publicize_image: "role:member and project_id:%(project_id)s"
                    default: "!"
                    """);
            Policy policy = Policy.load(file);
            RequestContext owner = ctx(OWNER, "member");
            assertTrue(policy.allows("publicize_image", owner, image("private")));
            assertFalse(policy.allows("no_such_rule", owner, Map.of()));
            // untouched defaults remain
            assertTrue(policy.allows("modify_image", owner, image("private")));
        }

        @Test
        void jsonFileOverridesDefaults() throws IOException {
            Path file = Files.writeString(dir.resolve("policy.json"), """
                    {
                    \t"get_image": "role:admin",
                    \t"custom": "rule:context_is_admin or user_id:u-1"
                    }
                    """);
            Policy policy = Policy.load(file);
            assertFalse(policy.allows("get_image", ctx(OWNER, "reader"), image("public")));
            assertTrue(policy.allows("custom", ctx(OWNER), Map.of()));
        }

        @Test
        void serviceRolesChecksMatchTheServiceTokensRoles() throws IOException {
            Path file = Files.writeString(dir.resolve("policy.yaml"), """
                    # Glance 2025.2's default: the service token's roles
                    service_api: "service_roles:service"
                    from_nova: "service_user_id:nova-user and service_project_id:services"
                    """);
            Policy policy = Policy.load(file);
            RequestContext cinder = serviceCall(OWNER, Set.of("member", "reader"), "service");
            assertTrue(policy.allows("fetch_image_location", cinder, image("private")));
            assertTrue(policy.allows("from_nova", cinder, Map.of()));
            assertFalse(policy.allows("fetch_image_location", ctx(OWNER, "member", "service"), image("private")),
                    "the user's own service role is not a service token's");
            assertFalse(policy.allows("fetch_image_location", serviceCall(OWNER, Set.of("member"), "member"),
                    image("private")));
            assertFalse(policy.allows("from_nova", ctx(OWNER, "member"), Map.of()));
        }

        @Test
        void emptyFileKeepsDefaults() throws IOException {
            Policy policy = Policy.load(Files.writeString(dir.resolve("policy.yaml"), ""));
            assertFalse(policy.allows("publicize_image", ctx(OWNER, "member"), image("private")));
        }

        @Test
        void badRuleNamesFileAndRule() throws IOException {
            Path file = Files.writeString(dir.resolve("policy.yaml"), "get_image: \"role:admin or\"\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.load(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("get_image"), e.getMessage());
            assertTrue(e.getMessage().contains("role:admin or"), e.getMessage());
        }

        @Test
        void unparseableFileNamesFile() throws IOException {
            Path json = Files.writeString(dir.resolve("policy.json"), "{\"get_image\": ");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.load(json));
            assertTrue(e.getMessage().contains(json.toString()), e.getMessage());

            Path list = Files.writeString(dir.resolve("list.yaml"), "- role:admin\n");
            e = assertThrows(IllegalArgumentException.class, () -> Policy.load(list));
            assertTrue(e.getMessage().contains(list.toString()), e.getMessage());

            Path nonString = Files.writeString(dir.resolve("num.yaml"), "get_image:\n  nested: 1\n");
            e = assertThrows(IllegalArgumentException.class, () -> Policy.load(nonString));
            assertTrue(e.getMessage().contains("get_image"), e.getMessage());
        }

        @Test
        void duplicateNamesAreRejected() throws IOException {
            Path file = Files.writeString(dir.resolve("dup.yaml"), "a: \"@\"\na: \"!\"\n");
            assertThrows(IllegalArgumentException.class, () -> Policy.load(file));
        }

        @Test
        void circularReferencesAreRejected() throws IOException {
            Path file = Files.writeString(dir.resolve("loop.yaml"), """
                    a: "rule:b"
                    b: "role:x or rule:a"
                    """);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.load(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }
}
