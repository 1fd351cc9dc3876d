package org.ferry.store.swift;

import okhttp3.Request;
import okhttp3.Response;
import org.ferry.store.RangeReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;

/**
 * A Swift object read from a position to its end. The GET is sent at the first read, with a Range from where
 * {@link #skip} moved, so a ranged download fetches only its bytes. A read that breaks off resumes where it stopped,
 * swift_store_retry_get_count times at most (Glance's swift_retry_iter), with a new ranged GET.
 */
final class SwiftReadStream extends RangeReadStream {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftReadStream.class);

    private final SwiftAccount account;
    private final String container;
    private final String object;
    private final int retries;
    private int retried;
    private Response response;
    private InputStream body;

    SwiftReadStream(SwiftAccount account, String container, String object, long size, int retries) {
        super(size);
        this.account = account;
        this.container = container;
        this.object = object;
        this.retries = retries;
    }

    @Override
    protected int readAtPosition(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (body == null) {
                open();
            }
            try {
                int n = body.read(b, off, len);
                if (n < 0) {
                    throw new IOException("Swift ended " + container + "/" + object + " at byte " + position()
                            + " of " + size);
                }
                return n;
            } catch (IOException e) {
                release();
                if (retried >= retries) {
                    throw e;
                }
                retried++;
                LOG.info("reading {}/{} broke off at byte {} ({}); resuming ({}/{})", container, object, position(),
                        e.getMessage(), retried, retries);
            }
        }
    }

    private void open() throws IOException {
        Request.Builder get = new Request.Builder().url(account.url(container, object)).get();
        if (position() > 0) {
            get.header("Range", "bytes=" + position() + "-");
        }
        Response r = account.send(get);
        if (r.code() != 200 && r.code() != 206) {
            try (r) {
                throw SwiftStore.answered("reading " + container + "/" + object, r);
            }
        }
        if (position() > 0 && r.code() != 206) {
            r.close();
            throw new IOException("Swift ignored the range of " + container + "/" + object + " from byte "
                    + position());
        }
        response = r;
        body = r.body().byteStream();
    }

    @Override
    protected void positionMoved() {
        release(); // the next read asks for a new range
    }

    @Override
    protected void release() {
        if (response != null) {
            response.close(); // an unread rest is not drained: the connection is dropped instead
        }
        response = null;
        body = null;
    }
}
