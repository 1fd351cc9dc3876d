package org.ferry.flow;

import java.util.Arrays;
import java.util.Optional;

/**
 * The ways an image gets its data through a task, by the names Glance uses on the wire ({@code import_req.method.name});
 * each has its route {@code routes/import-<wire name>.camel.yaml}.
 */
public enum ImportMethod {
    GLANCE_DIRECT("glance-direct"),
    WEB_DOWNLOAD("web-download"),
    GLANCE_DOWNLOAD("glance-download"),
    COPY_IMAGE("copy-image"),
    /** The New Location API's task (not an import method a client names; Ferry's job runner dispatches it). */
    LOCATION_IMPORT("location-import");

    private final String wireName;

    ImportMethod(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The method with this wire name, if it is one. */
    public static Optional<ImportMethod> find(String wireName) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(wireName)).findFirst();
    }

    /** Whether the data comes from a URL (web-download, glance-download). */
    public boolean downloads() {
        return this == WEB_DOWNLOAD || this == GLANCE_DOWNLOAD;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
