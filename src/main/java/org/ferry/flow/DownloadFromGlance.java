package org.ferry.flow;

import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.remote.GlanceClient;
import org.ferry.remote.ResumingStream;
import org.ferry.remote.SafeHttp;
import org.ferry.store.StoreRegistry;

import java.io.IOException;

/** glance-download step 3: the remote image's data, from the region's image endpoint, with the caller's token. */
public final class DownloadFromGlance extends StagingDownload {
    private final SafeHttp http;

    public DownloadFromGlance(StoreRegistry stores, SafeHttp http, DataMover mover, TaskRepository tasks,
                              String javaHash, String hashAlgo, long sizeCap) {
        super(stores, mover, tasks, javaHash, hashAlgo, sizeCap);
        this.http = http;
    }

    @Override
    protected ResumingStream open(ImportState s) throws IOException {
        ImportRequest r = s.request;
        return GlanceClient.forCaller(http, s.caller, r.glanceRegion(), r.glanceServiceInterface())
                .data(r.glanceImageId(), MAX_RESUMES);
    }
}
