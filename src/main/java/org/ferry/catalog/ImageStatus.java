package org.ferry.catalog;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where an image is in Glance's life cycle (glance/domain Image.status). The wire value (the API's and the catalog's
 * {@code status} column) is the lower-case name; {@link #toString()} gives it, so messages read as Glance's.
 */
public enum ImageStatus {
    QUEUED("queued"),
    SAVING("saving"),
    UPLOADING("uploading"),
    IMPORTING("importing"),
    ACTIVE("active"),
    DEACTIVATED("deactivated"),
    PENDING_DELETE("pending_delete"),
    KILLED("killed"),
    DELETED("deleted");

    private final String wire;

    ImageStatus(String wire) {
        this.wire = wire;
    }

    /** The value Glance shows and stores. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The status of a wire value; an unknown value is a catalog fault, never a client's input. */
    @JsonCreator
    public static ImageStatus fromWire(String wire) {
        for (ImageStatus s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown image status '" + wire + "'");
    }

    @Override
    public String toString() {
        return wire;
    }
}
