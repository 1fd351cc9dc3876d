package org.ferry.store.s3;

import org.ferry.store.S3StoreOptions;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A writer that is killed in the middle of a multipart upload (run as its own process by the tests): it writes some
 * 5 MiB parts of an image of unknown size, says so on stdout and waits to be killed with SIGKILL.
 * Arguments: endpoint, access key, secret key, bucket, image id, parts to write.
 */
public final class S3CrashWriter {
    private S3CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        S3Store store = new S3Store(new StoreSettings("crash", Optional.empty(), 0),
                new S3StoreOptions(args[0], args[1], args[2], args[3], true, "path", 100, 5, 2, "", ""));
        StoreWrite w = store.beginWrite(args[4], -1);
        ByteBuffer part = ByteBuffer.allocate(5 << 20);
        for (int i = 0; i <= Integer.parseInt(args[5]); i++) { // one more: the last full part is sent when it fills
            w.channel().write(part.clear());
        }
        System.out.println("written");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
