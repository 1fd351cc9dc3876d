package org.ferry.api;

import org.ferry.config.Quotas;
import org.ferry.data.HashAlgorithms;

import java.util.List;

/**
 * The options the API handlers use, as Glance names them.
 *
 * @param enabledImportMethods  [DEFAULT] enabled_import_methods
 * @param showMultipleLocations [DEFAULT] show_multiple_locations (the legacy locations API)
 * @param imageSizeCap          [DEFAULT] image_size_cap, in bytes
 * @param hashingAlgorithm      [DEFAULT] hashing_algorithm, hashlib's name (checked at start-up)
 * @param limitParamDefault     [DEFAULT] limit_param_default
 * @param apiLimitMax           [DEFAULT] api_limit_max
 */
public record ApiSettings(List<String> enabledImportMethods, boolean showMultipleLocations, long imageSizeCap,
                          String hashingAlgorithm, Quotas quotas, int limitParamDefault, int apiLimitMax) {
    /** The JVM's name of {@link #hashingAlgorithm}. */
    public String javaHashName() {
        return HashAlgorithms.javaName(hashingAlgorithm).orElseThrow();
    }
}
