package org.ferry.remote;

import java.util.List;

/** [import_filtering_opts]: which URLs web-download may fetch, as Glance's options of the same names. */
public record ImportFiltering(List<String> allowedSchemes, List<String> disallowedSchemes,
                              List<String> allowedHosts, List<String> disallowedHosts,
                              List<Integer> allowedPorts, List<Integer> disallowedPorts) {
}
