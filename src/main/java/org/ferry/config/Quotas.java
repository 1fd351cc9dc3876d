package org.ferry.config;

/** Glance's per-image quotas ([DEFAULT] image_*_quota); a negative one means unlimited. */
public record Quotas(int imageMemberQuota, int imagePropertyQuota, int imageTagQuota, int imageLocationQuota) {
}
