package org.ferry.testing;

import org.ferry.catalog.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.TestAbortedException;

/**
 * The base of a contract that runs the same tests on each database Ferry supports (a {@code @Nested} subclass per
 * database): opens the database once for the class, closes and drops it afterwards, and when the database is not
 * available ({@link TestDatabases#postgresUrl} aborted) skips each test on its own, so the skips show in the counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DatabaseContract {
    protected Database db;
    private String skipped;

    protected abstract Database openDatabase() throws Exception;

    protected abstract void dropDatabase() throws Exception;

    /** Builds what the tests use on the opened database. */
    protected void opened(Database database) {
    }

    @BeforeAll
    void openContractDatabase() throws Exception {
        try {
            db = openDatabase();
        } catch (TestAbortedException e) {
            skipped = e.getMessage();
            return;
        }
        opened(db);
    }

    @BeforeEach
    void skipIfUnavailable() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    @AfterAll
    void closeContractDatabase() throws Exception {
        if (db != null) {
            try {
                db.close();
            } finally {
                dropDatabase();
            }
        }
    }
}
