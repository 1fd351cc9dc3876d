package org.ferry.replication.run;

import org.ferry.remote.GlanceImage;
import org.ferry.replication.clients.Credentials;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One configured replication job ({@code [replication:<name>]}): where images come from, where they go, which ones,
 * when, how many at once, and with which credentials.
 *
 * @param targetRegion   the target's region in the catalog (Keystone) or in [glance_download_regions]; empty with
 *                       an empty {@code targetEndpoint} means this Ferry
 * @param targetEndpoint an explicit target image endpoint URL, instead of a catalog lookup
 */
public record ReplicationJob(
        String name,
        List<String> sourceRegions,
        Optional<String> targetRegion,
        Optional<String> targetEndpoint,
        String iface,
        Selection selection,
        Optional<String> schedule,
        int concurrency,
        boolean preserveIds,
        OnSourceDeleted onSourceDeleted,
        Duration importTimeout,
        Credentials credentials) {

    public enum OnSourceDeleted {
        REPORT, DELETE;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The target is this Ferry (reached at its own URL). */
    public boolean targetIsSelf() {
        return targetRegion.isEmpty() && targetEndpoint.isEmpty();
    }

    /** A description of the target for views and logs. */
    public String targetDescription() {
        return targetEndpoint.orElseGet(() -> targetRegion.orElse("this Ferry"));
    }

    /**
     * Which source images the job takes: any of the visibilities, and (when set) the owner, every tag and every
     * property value. The same rules go to the source as list filters and are checked again on each listed image,
     * so a source that ignores a filter still never gets a private image copied.
     */
    public record Selection(List<String> visibilities, Optional<String> owner, List<String> tags,
                            Map<String, String> properties) {

        public boolean matches(GlanceImage img) {
            if (!visibilities.contains(img.visibility())) {
                return false;
            }
            if (owner.isPresent() && !owner.get().equals(img.owner())) {
                return false;
            }
            if (!img.tags().containsAll(tags)) {
                return false;
            }
            for (var e : properties.entrySet()) {
                if (!e.getValue().equals(img.properties().get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        /** Why {@link #matches} refuses the image (for the run's record), or null. */
        public String mismatch(GlanceImage img) {
            if (!visibilities.contains(img.visibility())) {
                return "visibility " + img.visibility() + " is not selected " + visibilities;
            }
            return matches(img) ? null : "does not match the owner, tag or property filters";
        }
    }
}
