package org.ferry.replication.run;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.OkHttpClient;
import org.ferry.remote.GlanceClient;
import org.ferry.remote.GlanceImage;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Run step 2: lists every source region's selected images page by page (following {@code next}) and records each as
 * pending in the run, with the copies whose source vanished from every selection. The listing happens once per run:
 * a continued run takes the images its record still has open. An image id found in several source regions is
 * taken from the first region that lists it.
 */
public final class ListSourceImages {
    private static final Logger LOG = LoggerFactory.getLogger(ListSourceImages.class);

    private final ReplicationStore store;
    private final OkHttpClient http;
    private final int pageSize;

    public ListSourceImages(ReplicationStore store, OkHttpClient http, int pageSize) {
        this.store = store;
        this.http = http;
        this.pageSize = pageSize;
    }

    public void execute(RunContext run) throws ReplicationFailure {
        run.logContext();
        run.checkStopped();
        if (!run.record().listed()) {
            list(run);
        }
        List<ImageWork> work = new ArrayList<>();
        long openBytes = 0;
        for (RunImage i : store.openImages(run.runId())) {
            work.add(new ImageWork(run, i));
            if (!i.vanished() && i.size() != null) {
                openBytes += i.size();
            }
        }
        run.setWork(work);
        run.listener().listed(store.counts(run.runId()), work.size(), openBytes);
    }

    private void list(RunContext run) throws ReplicationFailure {
        ReplicationJob job = run.job();
        Map<String, RunImage> byId = new LinkedHashMap<>();
        Map<String, GlanceImage> views = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        boolean complete = true;
        for (String region : job.sourceRegions()) {
            try {
                GlanceClient source = run.source(region);
                if (source == null) {
                    source = run.session().glance(http, run.session().imageEndpoint(region, job.iface()), region,
                            run.requestId());
                    run.source(region, source);
                }
                int n = listRegion(run, source, byId, views, notes);
                LOG.info("{}: {} lists {} selected images", run, region, n);
            } catch (RunInterrupted e) {
                throw e;
            } catch (ReplicationFailure | RemoteFailure e) {
                complete = false;
                notes.add("listing " + region + " failed: " + e.getMessage());
                LOG.warn("{}: listing {} failed: {}", run, region, e.getMessage());
            }
        }
        if (!complete && byId.isEmpty()) {
            throw new ReplicationFailure(String.join("; ", notes));
        }
        List<RunImage> rows = new ArrayList<>(byId.values());
        if (complete) {
            for (Replica r : store.replicas(job.name())) {
                if (!byId.containsKey(r.sourceId())) {
                    rows.add(new RunImage(run.runId(), r.sourceId(), RunImage.VANISHED, r.sourceRegion(), null, null,
                            null, ImageOutcome.PENDING, r.targetId(), 0, null, null));
                }
            }
        } else {
            notes.add("copies whose source vanished were not looked for, as the listing is incomplete");
        }
        store.recordListing(run.runId(), rows, complete, notes.isEmpty() ? null : String.join("; ", notes));
    }

    private int listRegion(RunContext run, GlanceClient source, Map<String, RunImage> byId,
                           Map<String, GlanceImage> views, List<String> notes)
            throws ReplicationFailure, RemoteFailure {
        ReplicationJob.Selection sel = run.job().selection();
        int n = 0;
        for (String visibility : sel.visibilities()) {
            Map<String, List<String>> query = new LinkedHashMap<>();
            query.put("visibility", List.of(visibility));
            query.put("limit", List.of(String.valueOf(pageSize)));
            sel.owner().ifPresent(o -> query.put("owner", List.of(o)));
            if (!sel.tags().isEmpty()) {
                query.put("tag", sel.tags());
            }
            sel.properties().forEach((k, v) -> query.put(k, List.of(v)));
            Set<String> seenHere = new java.util.HashSet<>();
            GlanceClient.Page page = source.firstPage(query);
            while (true) {
                run.checkStopped();
                int fresh = 0;
                for (JsonNode node : page.images()) {
                    GlanceImage img = GlanceImage.of(node);
                    if (img.id() == null || !seenHere.add(img.id())) {
                        continue;
                    }
                    n++;
                    fresh++;
                    GlanceImage first = views.get(img.id());
                    if (first == null) {
                        views.put(img.id(), img);
                        byId.put(img.id(), new RunImage(run.runId(), img.id(), RunImage.SOURCE, source.region(),
                                img.name(), img.size(), img.toJson(), ImageOutcome.PENDING, null, 0, null, null));
                    } else if (img.hasData() && first.hasData() && !img.sameData(first)) {
                        notes.add("image " + img.id() + " has different data in " + source.region() + " than in "
                                + byId.get(img.id()).sourceRegion() + " (copied from the latter)");
                    }
                }
                // a page with nothing new means a source repeating itself: stop rather than loop
                if (page.next() == null || fresh == 0) {
                    break;
                }
                page = source.nextPage(page.next());
            }
        }
        return n;
    }
}
