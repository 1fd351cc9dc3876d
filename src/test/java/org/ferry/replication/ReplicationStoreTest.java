package org.ferry.replication;

import org.ferry.catalog.Database;
import org.ferry.replication.run.ImageOutcome;
import org.ferry.replication.run.Replica;
import org.ferry.replication.run.ReplicationStore;
import org.ferry.replication.run.RunImage;
import org.ferry.replication.run.RunRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.ferry.testing.DatabaseContract;
import org.ferry.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication's tables on both databases Ferry supports (V3__replication.sql runs on each): the job guard that
 * keeps runs from overlapping across nodes, run and per-image records, and replicas. The PostgreSQL variant needs
 * FERRY_TEST_PG_URL (scripts/test.sh sets it) and works in a schema of its own.
 */
class ReplicationStoreTest {

    @Nested
    @DisplayName("on H2")
    class OnH2 extends Contract {
        @Override
        protected Database openDatabase() {
            return Database.open("jdbc:h2:mem:replication-" + UUID.randomUUID(), 8);
        }

        @Override
        protected void dropDatabase() {
        }
    }

    @Nested
    @DisplayName("on PostgreSQL")
    class OnPostgres extends Contract {
        private String baseUrl;
        private String schema;

        @Override
        protected Database openDatabase() throws SQLException {
            baseUrl = TestDatabases.postgresUrl();
            schema = TestDatabases.uniqueSchema("ferry_repl_");
            Database d = Database.open(TestDatabases.freshSchema(baseUrl, schema), 8);
            assertTrue(d.isPostgres());
            return d;
        }

        @Override
        protected void dropDatabase() throws SQLException {
            TestDatabases.dropSchema(baseUrl, schema);
        }
    }

    abstract static class Contract extends DatabaseContract {
        ReplicationStore store;

        @Override
        protected void opened(Database database) {
            store = new ReplicationStore(database.jdbi());
        }

        @Test
        void ofNodesRacingForAJobExactlyOneGetsIt() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 20; round++) {
                    String job = "race-" + round;
                    CyclicBarrier start = new CyclicBarrier(4);
                    Instant now = Instant.now();
                    List<Future<Boolean>> got = new ArrayList<>();
                    for (int node = 0; node < 4; node++) {
                        String holder = "node-" + node;
                        got.add(pool.submit(() -> {
                            start.await();
                            return store.acquire(job, holder, now, now.plusSeconds(60));
                        }));
                    }
                    int winners = 0;
                    for (Future<Boolean> f : got) {
                        winners += f.get() ? 1 : 0;
                    }
                    assertEquals(1, winners, "round " + round);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void aLeaseHoldsUntilReleasedOrRunOut() {
            Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            assertTrue(store.acquire("lease", "a", t0, t0.plusSeconds(60)));
            assertFalse(store.acquire("lease", "b", t0.plusSeconds(30), t0.plusSeconds(90)));
            assertTrue(store.renew("lease", "a", t0.plusSeconds(120)));
            assertFalse(store.acquire("lease", "b", t0.plusSeconds(90), t0.plusSeconds(150)));
            // a holder that stopped renewing (it died) loses the job once the lease has run out
            assertTrue(store.acquire("lease", "b", t0.plusSeconds(121), t0.plusSeconds(181)));
            assertFalse(store.renew("lease", "a", t0.plusSeconds(200)), "a learns it lost the guard");
            store.release("lease", "a");
            assertEquals("b", store.lease("lease").orElseThrow().holder(), "a cannot release b's guard");
            store.release("lease", "b");
            assertEquals(null, store.lease("lease").orElseThrow().holder());
            assertTrue(store.acquire("lease", "c", t0.plusSeconds(122), t0.plusSeconds(182)));
        }

        @Test
        void runsAndTheirImagesAreRecordedAndCounted() {
            Instant now = Instant.now();
            RunRecord run = store.createRun(UUID.randomUUID().toString(), "records", "api", now);
            assertEquals(RunRecord.RUNNING, run.status());
            assertEquals(run.id(), store.unfinishedRun("records").orElseThrow().id());
            List<RunImage> listed = List.of(
                    image(run, "00000000-0000-0000-0000-000000000001", RunImage.SOURCE, 100L),
                    image(run, "00000000-0000-0000-0000-000000000002", RunImage.SOURCE, 200L),
                    image(run, "00000000-0000-0000-0000-000000000002", RunImage.SOURCE, 999L), // listed twice
                    image(run, "00000000-0000-0000-0000-000000000003", RunImage.SOURCE, 300L),
                    image(run, "00000000-0000-0000-0000-000000000009", RunImage.VANISHED, null));
            store.recordListing(run.id(), listed, true, null);
            assertEquals(4, store.openImages(run.id()).size());
            assertEquals(200L, store.images(run.id()).get(1).size(), "the first listing of an id is kept");

            store.updateImage(run.id(), "00000000-0000-0000-0000-000000000001", ImageOutcome.COPIED, "t1", 100, "ok");
            store.updateImage(run.id(), "00000000-0000-0000-0000-000000000002", ImageOutcome.COPYING, "t2", 0, "…");
            store.updateImage(run.id(), "00000000-0000-0000-0000-000000000003", ImageOutcome.FAILED, null, 0, "boom");
            RunRecord.Counts c = store.counts(run.id());
            assertEquals(new RunRecord.Counts(3, 2, 1, 0, 0, 0, 1, 0, 0, 100), c);
            assertEquals(List.of("00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000009"),
                    store.openImages(run.id()).stream().map(RunImage::imageId).toList(),
                    "a copy under way and the pending image are left for a continued run");
            assertEquals("boom", store.problems(run.id(), 10).get(0).detail());

            store.markContinued(run.id());
            store.finishRun(run.id(), RunRecord.PARTIAL, c, "note", now.plusSeconds(5));
            RunRecord done = store.run(run.id()).orElseThrow();
            assertEquals(RunRecord.PARTIAL, done.status());
            assertEquals(1, done.continued());
            assertEquals(c.copied(), done.counts().copied());
            assertEquals("note", done.message());
            assertTrue(store.unfinishedRun("records").isEmpty());
            assertEquals(List.of(done.id()), store.runs("records", 5).stream().map(RunRecord::id).toList());
        }

        @Test
        void replicasRememberWhetherTheJobCreatedTheCopy() {
            store.saveReplica(new Replica("replicas", "s1", "s1", "RegionOne", true));
            store.saveReplica(new Replica("replicas", "s1", "s1", "RegionOne", false));
            assertTrue(store.replica("replicas", "s1").orElseThrow().createdCopy(), "created stays created");
            store.saveReplica(new Replica("replicas", "s2", "t2", "RegionTwo", false));
            assertEquals(List.of("s1", "s2"), store.replicas("replicas").stream().map(Replica::sourceId).toList());
            store.deleteReplica("replicas", "s1");
            assertTrue(store.replica("replicas", "s1").isEmpty());
        }

        private static RunImage image(RunRecord run, String id, String kind, Long size) {
            return new RunImage(run.id(), id, kind, "RegionOne", "n", size, "{}", ImageOutcome.PENDING, null, 0,
                    null, null);
        }
    }
}
