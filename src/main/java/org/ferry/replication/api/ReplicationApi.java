package org.ferry.replication.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ferry.catalog.Refused;
import org.ferry.http.ApiException;
import org.ferry.http.ApiRequest;
import org.ferry.http.Json;
import org.ferry.http.Responses;
import org.ferry.http.Router;
import org.ferry.replication.clients.Credentials;
import org.ferry.replication.run.ReplicationJob;
import org.ferry.replication.run.ReplicationService;
import org.ferry.replication.run.ReplicationStore;
import org.ferry.replication.run.RunImage;
import org.ferry.replication.run.RunListener;
import org.ferry.replication.run.RunRecord;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The operator surface, admins only: {@code GET /ferry/replication/jobs} (jobs and their last runs),
 * {@code GET /ferry/replication/jobs/{name}/runs} (newest first, {@code ?limit=}), one run with every image at
 * {@code GET /ferry/replication/jobs/{name}/runs/{run}}, and {@code POST /ferry/replication/jobs/{name}/run} (202, or
 * 409 while a run of the job goes on anywhere).
 */
public final class ReplicationApi {
    static final int ERRORS_SHOWN = 20;

    private final ReplicationService service;

    public ReplicationApi(ReplicationService service) {
        this.service = service;
    }

    public void register(Router router) {
        router.add("GET", "/ferry/replication/jobs", this::jobs);
        router.add("GET", "/ferry/replication/jobs/{name}", this::showJob);
        router.add("GET", "/ferry/replication/jobs/{name}/runs", this::runs);
        router.add("GET", "/ferry/replication/jobs/{name}/runs/{run}", this::run);
        router.add("POST", "/ferry/replication/jobs/{name}/run", this::start);
    }

    private void jobs(ApiRequest req) {
        requireAdmin(req);
        ObjectNode body = Json.object();
        ArrayNode jobs = body.putArray("jobs");
        service.jobs().forEach(j -> jobs.add(jobView(j)));
        Responses.json(req.exchange(), 200, body);
    }

    private void showJob(ApiRequest req) {
        requireAdmin(req);
        Responses.json(req.exchange(), 200, Json.object().set("job", jobView(job(req))));
    }

    private void runs(ApiRequest req) {
        requireAdmin(req);
        ReplicationJob job = job(req);
        int limit = req.queryFirst("limit").map(ReplicationApi::limit).orElse(20);
        ObjectNode body = Json.object();
        ArrayNode runs = body.putArray("runs");
        service.store().runs(job.name(), limit).forEach(r -> runs.add(runView(r)));
        Responses.json(req.exchange(), 200, body);
    }

    private void run(ApiRequest req) {
        requireAdmin(req);
        ReplicationJob job = job(req);
        RunRecord r = service.store().run(req.path("run")).filter(x -> x.job().equals(job.name()))
                .orElseThrow(() -> ApiException.notFound("No run " + req.path("run") + " of job " + job.name()));
        ObjectNode view = runView(r);
        ArrayNode images = view.putArray("image_results");
        for (RunImage i : service.store().images(r.id())) {
            images.add(imageView(i));
        }
        Responses.json(req.exchange(), 200, Json.object().set("run", view));
    }

    private void start(ApiRequest req) {
        requireAdmin(req);
        ReplicationJob job = job(req);
        try {
            RunRecord r = service.start(job.name(), ReplicationService.API, RunListener.NONE);
            req.setHeader("Location", "/ferry/replication/jobs/" + job.name() + "/runs/" + r.id());
            Responses.json(req.exchange(), 202, Json.object().set("run", runView(r)));
        } catch (Refused e) {
            throw new ApiException(e.status(), e.getMessage());
        }
    }

    private ObjectNode jobView(ReplicationJob j) {
        ObjectNode o = Json.object();
        o.put("name", j.name());
        ArrayNode sources = o.putArray("source_regions");
        j.sourceRegions().forEach(sources::add);
        o.put("target", j.targetDescription());
        o.put("interface", j.iface());
        ObjectNode sel = o.putObject("selection");
        ArrayNode vis = sel.putArray("visibility");
        j.selection().visibilities().forEach(vis::add);
        sel.put("owner", j.selection().owner().orElse(null));
        ArrayNode tags = sel.putArray("tags");
        j.selection().tags().forEach(tags::add);
        ObjectNode props = sel.putObject("properties");
        j.selection().properties().forEach(props::put);
        o.put("schedule", j.schedule().orElse(null));
        o.put("concurrency", j.concurrency());
        o.put("preserve_ids", j.preserveIds());
        o.put("on_source_deleted", j.onSourceDeleted().configName());
        o.put("auth", j.credentials() instanceof Credentials.Password ? "password"
                : j.credentials() instanceof Credentials.ApplicationCredential ? "application_credential" : "none");
        Optional<ReplicationStore.Lease> lease = service.store().lease(j.name());
        boolean running = lease.isPresent() && lease.get().heldAt(Instant.now());
        o.put("running", running);
        List<RunRecord> last = service.store().runs(j.name(), 1);
        if (last.isEmpty()) {
            o.putNull("last_run");
        } else {
            o.set("last_run", runView(last.get(0)));
        }
        return o;
    }

    private ObjectNode runView(RunRecord r) {
        RunRecord.Counts c = r.running() ? service.store().counts(r.id()) : r.counts();
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("job", r.job());
        o.put("trigger", r.trigger());
        o.put("status", r.status());
        o.put("started_at", time(r.startedAt()));
        o.put("finished_at", time(r.finishedAt()));
        o.put("continued", r.continued());
        o.put("listing_complete", r.listingComplete());
        ObjectNode images = o.putObject("images");
        images.put("seen", c.seen());
        images.put("pending", c.pending());
        images.put("copied", c.copied());
        images.put("updated", c.updated());
        images.put("skipped", c.skipped());
        images.put("conflicts", c.conflicts());
        images.put("failed", c.failed());
        images.put("vanished", c.vanished());
        images.put("deleted", c.deleted());
        o.put("bytes", c.bytes());
        o.put("message", r.message());
        ArrayNode errors = o.putArray("errors");
        service.store().problems(r.id(), ERRORS_SHOWN).forEach(i -> errors.add(imageView(i)));
        return o;
    }

    private static ObjectNode imageView(RunImage i) {
        ObjectNode o = Json.object();
        o.put("image_id", i.imageId());
        o.put("name", i.name());
        o.put("kind", i.kind());
        o.put("source_region", i.sourceRegion());
        o.put("target_id", i.targetId());
        o.put("status", i.status().db());
        o.put("size", i.size());
        o.put("bytes", i.bytes());
        o.put("detail", i.detail());
        return o;
    }

    private ReplicationJob job(ApiRequest req) {
        String name = req.path("name");
        return service.job(name).orElseThrow(() -> ApiException.notFound("No replication job " + name));
    }

    private static void requireAdmin(ApiRequest req) {
        if (req.context() == null || !req.context().isAdmin()) {
            throw ApiException.forbidden("Replication jobs are for administrators only.");
        }
    }

    private static int limit(String raw) {
        try {
            int n = Integer.parseInt(raw);
            if (n < 1) {
                throw ApiException.badRequest("limit must be positive");
            }
            return Math.min(n, 100);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit param must be an integer");
        }
    }

    private static String time(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
}
