package org.ferry.flow;

import org.ferry.auth.RequestContext;
import org.ferry.catalog.Image;
import org.ferry.catalog.ImageRepository;
import org.ferry.catalog.Location;
import org.ferry.catalog.Member;
import org.ferry.catalog.MemberRepository;
import org.ferry.store.LocationUrls;
import org.ferry.store.Store;
import org.ferry.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Keeps who may read an image's data in step with who may see the image, in the stores that keep their own ACLs
 * (the multi-tenant swift store, whose images live in their writers' accounts): everyone for a public or community
 * image, else the image's members. Called, as Glance's location proxy does, after data lands in such a store and
 * after the image's visibility or members change. A store that refuses is logged: the image's own change stands.
 */
public final class StoreAcls {
    private static final Logger LOG = LoggerFactory.getLogger(StoreAcls.class);

    private final ImageRepository images;
    private final MemberRepository members;
    private final StoreRegistry stores;
    private final boolean anyStoreKeepsAcls;

    public StoreAcls(ImageRepository images, MemberRepository members, StoreRegistry stores) {
        this.images = images;
        this.members = members;
        this.stores = stores;
        this.anyStoreKeepsAcls = stores.all().stream().anyMatch(Store::keepsAcls);
    }

    /** Sets the ACLs of every location of the image in a store that keeps them, with the caller's access. */
    public void update(String imageId, RequestContext caller) {
        if (!anyStoreKeepsAcls) {
            return;
        }
        Optional<Image> found = images.find(imageId);
        if (found.isEmpty()) {
            return;
        }
        Image img = found.get();
        boolean everyone = "public".equals(img.visibility) || "community".equals(img.visibility);
        List<String> readers = everyone ? List.of()
                : members.list(imageId).stream().map(Member::memberId).toList();
        for (Location l : img.locations) {
            Optional<Store> store = stores.forLocation(l.storeId(), l.url()).filter(Store::keepsAcls);
            if (store.isEmpty()) {
                continue;
            }
            try {
                store.get().setAcls(l.url(), everyone, readers, caller);
            } catch (IOException | RuntimeException e) {
                LOG.warn("image {}: the read ACLs of {} in store {} could not be set: {}", imageId,
                        LocationUrls.shown(l.url()), store.get().id(), e.getMessage());
            }
        }
    }
}
