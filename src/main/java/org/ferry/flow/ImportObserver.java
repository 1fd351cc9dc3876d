package org.ferry.flow;

import java.time.Duration;

/**
 * Told when an import run starts and when it ends (metrics). Called on the import's own thread once per run, never
 * per chunk of data, so an implementation may look meters up.
 */
public interface ImportObserver {
    ImportObserver NONE = new ImportObserver() {
        @Override
        public void started(String method) {
        }

        @Override
        public void finished(String method, boolean succeeded, long bytes, Duration took) {
        }
    };

    void started(String method);

    /** @param bytes the image data the run moved (downloaded, staged or copied); 0 when it failed before any */
    void finished(String method, boolean succeeded, long bytes, Duration took);
}
