package org.ferry.ops;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The body bytes one exchange read and wrote, counted by conduits wrapped around its request and response channels.
 * Undertow counts neither for HTTP/1.1. Each read or write adds to a field of this object, so image data costs one
 * addition per chunk and sendfile stays sendfile (transfers are passed down whole).
 */
final class ByteCounts {
    /** One thread at a time moves an exchange's bytes; volatile so the completion listener sees the last count. */
    private volatile long received;
    private volatile long sent;

    long received() {
        return received;
    }

    long sent() {
        return sent;
    }

    /** Wraps the exchange's channels; must run before the handler asks for them. */
    void attach(HttpServerExchange ex) {
        ex.addRequestWrapper((ConduitWrapper<StreamSourceConduit>) (factory, exchange) -> new Source(factory));
        ex.addResponseWrapper((ConduitWrapper<StreamSinkConduit>) (factory, exchange) -> new Sink(factory));
    }

    private final class Source extends AbstractStreamSourceConduit<StreamSourceConduit> {
        Source(ConduitFactory<StreamSourceConduit> next) {
            super(next.create());
        }

        private long count(long n) {
            if (n > 0) {
                received += n;
            }
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return (int) count(next.read(dst));
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            return count(next.read(dsts, offs, len));
        }

        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return count(next.transferTo(position, count, target));
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            long n = next.transferTo(count, throughBuffer, target);
            // bytes read into the through buffer but not yet written are read all the same
            count(Math.max(n, 0) + throughBuffer.remaining());
            return n;
        }
    }

    private final class Sink extends AbstractStreamSinkConduit<StreamSinkConduit> {
        Sink(ConduitFactory<StreamSinkConduit> next) {
            super(next.create());
        }

        private long count(long n) {
            if (n > 0) {
                sent += n;
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) count(next.write(src));
        }

        @Override
        public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
            return count(next.write(srcs, offs, len));
        }

        @Override
        public int writeFinal(ByteBuffer src) throws IOException {
            return (int) count(next.writeFinal(src));
        }

        @Override
        public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
            return count(next.writeFinal(srcs, offs, len));
        }

        @Override
        public long transferFrom(FileChannel src, long position, long count) throws IOException {
            return count(next.transferFrom(src, position, count));
        }

        @Override
        public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
            // what stays in the through buffer is written (and counted) by a later write
            return count(next.transferFrom(source, count, throughBuffer));
        }
    }
}
