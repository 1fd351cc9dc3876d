package org.ferry.flow;

import org.ferry.catalog.TaskRepository;
import org.ferry.data.DataMover;
import org.ferry.remote.ResumingStream;
import org.ferry.remote.SafeHttp;
import org.ferry.store.StoreRegistry;

import java.io.IOException;

/** web-download step: the data at the request's URI, without a token, every hop passing [import_filtering_opts]. */
public final class DownloadFromUri extends StagingDownload {
    private final SafeHttp http;

    public DownloadFromUri(StoreRegistry stores, SafeHttp http, DataMover mover, TaskRepository tasks, String javaHash,
                           String hashAlgo, long sizeCap) {
        super(stores, mover, tasks, javaHash, hashAlgo, sizeCap);
        this.http = http;
    }

    @Override
    protected ResumingStream open(ImportState s) throws IOException {
        return http.download(s.request.uri(), null, "web-download", MAX_RESUMES);
    }
}
