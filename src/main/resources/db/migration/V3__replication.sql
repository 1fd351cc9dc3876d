-- Batch replication (issue 7). The same statements run on H2 (PostgreSQL mode) and on PostgreSQL.

-- One row per job: the guard that keeps two runs of a job from overlapping, on any node. A run holds it while
-- its holder keeps renewing lease_until; a holder that died loses it when the lease runs out.
CREATE TABLE replication_jobs (
    name        VARCHAR(100) PRIMARY KEY,
    holder      VARCHAR(255),
    run_id      VARCHAR(36),
    lease_until TIMESTAMP(6)
);

-- Runs. Counters are written when the run ends; while it runs they are counted from replication_run_images.
CREATE TABLE replication_runs (
    id            VARCHAR(36)  PRIMARY KEY,
    job           VARCHAR(100) NOT NULL,
    trigger_kind  VARCHAR(20)  NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    listed        BOOLEAN      NOT NULL DEFAULT FALSE,
    listing_complete BOOLEAN   NOT NULL DEFAULT FALSE,
    continued     INTEGER      NOT NULL DEFAULT 0,
    started_at    TIMESTAMP(6) NOT NULL,
    finished_at   TIMESTAMP(6),
    images_seen   INTEGER      NOT NULL DEFAULT 0,
    copied        INTEGER      NOT NULL DEFAULT 0,
    updated       INTEGER      NOT NULL DEFAULT 0,
    skipped       INTEGER      NOT NULL DEFAULT 0,
    conflicts     INTEGER      NOT NULL DEFAULT 0,
    failed        INTEGER      NOT NULL DEFAULT 0,
    vanished      INTEGER      NOT NULL DEFAULT 0,
    deleted       INTEGER      NOT NULL DEFAULT 0,
    bytes         BIGINT       NOT NULL DEFAULT 0,
    message       TEXT
);
CREATE INDEX replication_runs_job_idx ON replication_runs (job, started_at);

-- What a run does with each image, written when the source is listed (status pending) and updated as each image
-- is done, so a run interrupted by a restart continues with the images still pending or in progress.
-- kind: source (a listed source image) or vanished (copied earlier, no longer in any source's selection).
CREATE TABLE replication_run_images (
    run_id        VARCHAR(36)  NOT NULL REFERENCES replication_runs (id),
    image_id      VARCHAR(36)  NOT NULL,
    kind          VARCHAR(10)  NOT NULL,
    source_region VARCHAR(255) NOT NULL,
    name          VARCHAR(255),
    size          BIGINT,
    source_view   TEXT,
    status        VARCHAR(20)  NOT NULL,
    target_id     VARCHAR(36),
    bytes         BIGINT       NOT NULL DEFAULT 0,
    detail        TEXT,
    updated_at    TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (run_id, image_id)
);
CREATE INDEX replication_run_images_status_idx ON replication_run_images (run_id, status);

-- The images a job keeps in step: source id → target id (equal with preserve_ids), and whether the job created
-- the copy (only such copies are deleted with on_source_deleted = delete).
CREATE TABLE replication_images (
    job           VARCHAR(100) NOT NULL,
    source_id     VARCHAR(36)  NOT NULL,
    target_id     VARCHAR(36)  NOT NULL,
    source_region VARCHAR(255) NOT NULL,
    created_copy  BOOLEAN      NOT NULL,
    updated_at    TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (job, source_id)
);
