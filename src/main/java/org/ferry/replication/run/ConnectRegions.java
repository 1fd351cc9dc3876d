package org.ferry.replication.run;

import okhttp3.OkHttpClient;
import org.ferry.remote.GlanceClient;
import org.ferry.remote.RemoteFailure;
import org.ferry.replication.clients.ReplicationFailure;
import org.ferry.replication.clients.ServiceSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Run step 1: logs in (Keystone jobs), finds the target's image endpoint (an explicit URL, the target region in the
 * catalog or [glance_download_regions], or this Ferry) and makes sure the target answers with the job's identity
 * before any image is touched.
 */
public final class ConnectRegions {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectRegions.class);

    private final OkHttpClient http;
    private final Supplier<String> selfUrl;

    public ConnectRegions(OkHttpClient http, Supplier<String> selfUrl) {
        this.http = http;
        this.selfUrl = selfUrl;
    }

    public void execute(RunContext run) throws ReplicationFailure {
        run.logContext();
        run.checkStopped();
        ReplicationJob job = run.job();
        ServiceSession session = run.session();
        String root;
        if (job.targetEndpoint().isPresent()) {
            root = job.targetEndpoint().get();
        } else if (job.targetRegion().isPresent()) {
            root = session.imageEndpoint(job.targetRegion().get(), job.iface());
        } else {
            root = selfUrl.get();
            if (root == null) {
                throw new ReplicationFailure("the target is this Ferry, but its URL is not known: set [DEFAULT] "
                        + "bind_port (not 0) or public_endpoint, or the job's target_endpoint");
            }
        }
        GlanceClient target = session.glance(http, root, job.targetRegion().orElse("target"), run.requestId());
        try {
            target.firstPage(Map.of("limit", List.of("1")));
        } catch (RemoteFailure e) {
            throw new ReplicationFailure("the target " + root + " is not usable: " + e.getMessage(), e);
        }
        run.target(target);
        LOG.info("{}: {} to {} ({}), sources {}", run, run.continued() ? "continuing" : "starting",
                job.targetDescription(), root, job.sourceRegions());
    }
}
