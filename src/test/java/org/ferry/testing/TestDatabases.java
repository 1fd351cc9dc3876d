package org.ferry.testing;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PostgreSQL every PostgreSQL variant of a test uses: {@code FERRY_TEST_PG_URL} (scripts/test.sh starts a private
 * PostgreSQL and sets it). Unset, the variant is skipped on a developer's machine but fails under CI (env {@code CI}
 * set), so CI never passes green without having run it. Each test works in a schema of its own.
 */
public final class TestDatabases {
    public static final String PG_URL_ENV = "FERRY_TEST_PG_URL";

    private TestDatabases() {
    }

    /** The PostgreSQL URL; aborts (skips) the calling test when it is unset, unless CI is set, where that fails. */
    public static String postgresUrl() {
        String url = System.getenv(PG_URL_ENV);
        if (url == null || url.isBlank()) {
            if (System.getenv("CI") != null) {
                fail(PG_URL_ENV + " is not set but CI is: the PostgreSQL tests must run in CI. "
                        + "Run the suite with scripts/test.sh, which starts a private PostgreSQL and sets it.");
            }
            Assumptions.abort(PG_URL_ENV + " is not set: PostgreSQL variant skipped (scripts/test.sh sets it)");
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            fail(PG_URL_ENV + " must be a jdbc:postgresql: URL, got " + url);
        }
        return url;
    }

    /** A new schema name with {@code prefix}, unique to this run. */
    public static String uniqueSchema(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    /** Creates the (empty) schema; the returned URL makes it the connections' current schema. */
    public static String freshSchema(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return inSchema(url, schema);
    }

    /** {@code url} with {@code schema} as the connections' current schema. */
    private static String inSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static void dropSchema(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
