package org.ferry.store.swift;

import org.ferry.auth.RequestContext;
import org.ferry.config.ConfigReader;
import org.ferry.config.IniFile;
import org.ferry.store.Store;
import org.ferry.store.StoreSettings;
import org.ferry.store.StoreWrite;
import org.ferry.store.SwiftStoreOptions;
import org.ferry.testing.TestSwift;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.ferry.data.ImageFixtures.random;
import static org.ferry.testing.StoreIo.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * swift_store_multi_tenant against the Swift lab (tempauth): each image goes into its writer's own account, in a
 * container of its own, with the caller's token and the storage URL of the caller's catalog; reads, deletes and ACLs
 * use the caller's token too. Whose token may read another account's container is Swift's decision, which the
 * Keystone lab test (SwiftKeystoneInteropTest) checks with real ACLs; tempauth has no {@code <project>:*} ACLs.
 */
class MultiTenantSwiftStoreTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    private TestSwift.Raw raw;
    private TestSwift.Raw other;
    private String prefix;
    private SwiftStore store;
    private final List<String> containers = new ArrayList<>();

    @BeforeEach
    void connect() throws IOException {
        TestSwift lab = TestSwift.lab();
        raw = lab.raw();
        other = lab.second().raw();
        prefix = "ferry-mt-" + UUID.randomUUID().toString().substring(0, 8);
        store = store("swift_store_admin_tenants = admins, ops");
    }

    private SwiftStore store(String... more) {
        List<String> lines = new ArrayList<>(List.of("[swift]", "swift_store_multi_tenant = True",
                "swift_store_container = " + prefix, "swift_store_create_container_on_put = True",
                "swift_store_large_object_size = 3", "swift_store_large_object_chunk_size = 1",
                "swift_store_region = RegionOne"));
        lines.addAll(List.of(more));
        SwiftStoreOptions o = SwiftStoreOptions.read(new ConfigReader(IniFile.parse(lines, "test.conf")), "swift", dir);
        return new SwiftStore(new StoreSettings("swift", Optional.empty(), 0), o, new okhttp3.OkHttpClient());
    }

    @AfterEach
    void removeContainers() throws IOException {
        store.close();
        for (String c : containers) {
            raw.removeContainer(c);
        }
    }

    /** A caller whose token is the lab account's, with an object-store endpoint in its catalog. */
    private static RequestContext caller(TestSwift.Raw account, String storageUrl) {
        return new RequestContext("req-1", "u", "p", Set.of("member"), account.token(),
                List.of(new RequestContext.CatalogEndpoint("object-store", "swift", "RegionOne", "public", storageUrl),
                        new RequestContext.CatalogEndpoint("object-store", "swift", "RegionTwo", "public",
                                "http://127.0.0.1:1/v1/AUTH_elsewhere")), false);
    }

    private String container(String id) {
        String c = prefix + "_" + id;
        containers.add(c);
        return c;
    }

    private static byte[] readAll(Store s, String url, RequestContext caller) throws IOException {
        try (Store.StoreData d = s.open(url, caller)) {
            return d.stream().readAllBytes();
        }
    }

    @Test
    void writesIntoTheCallersAccountInAContainerPerImageAndItsDeleteRemovesTheContainer() throws Exception {
        RequestContext me = caller(raw, raw.storageUrl().toString());
        for (int size : new int[]{MIB, 3 * MIB + 5}) {
            String id = UUID.randomUUID().toString();
            String container = container(id);
            byte[] data = random(size, size);
            String url;
            try (StoreWrite w = store.beginWrite(id, size, me)) {
                writeAll(w, data);
                url = w.commit();
            }
            String storage = raw.storageUrl().toString().substring("http://".length());
            assertEquals("swift+http://" + storage + "/" + container + "/" + id, url, "Glance's multi-tenant location");
            assertTrue(store.owns(url));
            assertFalse(store.readsWithItsOwnAccess(url), "read with the caller's own token");
            List<String> names = raw.list(container);
            assertEquals(size > 3 * MIB ? List.of(id, id + "-00001", id + "-00002", id + "-00003", id + "-00004")
                    : List.of(id), names, "in the caller's account, the image's own container");
            assertArrayEquals(data, readAll(store, url, me));

            IOException noCaller = assertThrows(IOException.class, () -> store.open(url, null));
            assertTrue(noCaller.getMessage().contains("needs the token of the user"), noCaller.getMessage());
            // another account's token without an ACL: Swift refuses it
            RequestContext stranger = caller(other, raw.storageUrl().toString());
            IOException refused = assertThrows(IOException.class, () -> readAll(store, url, stranger));
            assertTrue(refused.getMessage().contains("Swift answered 403"), refused.getMessage());

            store.delete(url, me);
            assertNull(raw.headContainer(container), "the image's container is deleted with it");
            store.delete(url, me); // already gone: fine
        }
    }

    @Test
    void anAbortedOrRefusedWriteLeavesNoContainerInTheAccount() throws Exception {
        RequestContext me = caller(raw, raw.storageUrl().toString());
        String id = UUID.randomUUID().toString();
        String container = container(id);
        StoreWrite w = store.beginWrite(id, -1, me);
        writeAll(w, random(2 * MIB + 7, 1));
        w.abort();
        assertNull(raw.headContainer(container), "segments and the container made for the write are removed");

        String id2 = UUID.randomUUID().toString();
        String container2 = container(id2);
        StoreWrite w2 = store.beginWrite(id2, 2 * MIB, me);
        writeAll(w2, random(MIB, 2));
        assertThrows(IOException.class, w2::commit);
        w2.abort();
        assertNull(raw.headContainer(container2));
    }

    @Test
    void setsGlancesAclHeadersOnTheImagesContainer() throws Exception {
        RequestContext me = caller(raw, raw.storageUrl().toString());
        String id = UUID.randomUUID().toString();
        String container = container(id);
        String url;
        try (StoreWrite w = store.beginWrite(id, 10, me)) {
            writeAll(w, random(10, 3));
            url = w.commit();
        }
        assertTrue(store.keepsAcls());
        store.setAcls(url, false, List.of("p1", "p2"), me);
        Map<String, List<String>> head = raw.headContainer(container);
        assertEquals(List.of("p1:*,p2:*"), head.get("x-container-read"));
        assertEquals(List.of("admins:*,ops:*"), head.get("x-container-write"), "swift_store_admin_tenants may write");
        store.setAcls(url, true, List.of("p1"), me);
        assertEquals(List.of("*:*"), raw.headContainer(container).get("x-container-read"), "public: everyone");
        store.setAcls(url, false, List.of(), me);
        assertNull(raw.headContainer(container).get("x-container-read"), "the owner only");
        store.delete(url, me);
    }

    @Test
    void aLocationOnAnotherHostIsNeverSentTheCallersToken() throws Exception {
        RequestContext me = caller(raw, raw.storageUrl().toString());
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(300);
            String url = "swift+http://127.0.0.1:" + listener.getLocalPort() + "/v1/AUTH_test/c/"
                    + UUID.randomUUID();
            assertTrue(store.owns(url), "a credential-free swift URL is the multi-tenant store's form");
            IOException e = assertThrows(IOException.class, () -> store.open(url, me));
            assertTrue(e.getMessage().contains("is not on the Swift of the caller's catalog"), e.getMessage());
            assertThrows(IOException.class, () -> store.delete(url, me));
            assertThrows(SocketTimeoutException.class, listener::accept, "no connection was made");
        }
    }

    @Test
    void aCallerWithoutAnObjectStoreInItsCatalogOrWithoutATokenCannotWrite() {
        RequestContext noSwift = new RequestContext("r", "u", "p", Set.of("member"), raw.token(), List.of(), false);
        IOException e = assertThrows(IOException.class, () -> store.beginWrite(UUID.randomUUID().toString(), 1,
                noSwift));
        assertTrue(e.getMessage().contains("has no object-store endpoint of interface publicURL in region RegionOne"),
                e.getMessage());
        RequestContext noToken = new RequestContext("r", "u", "p", Set.of("member"), null,
                List.of(new RequestContext.CatalogEndpoint("object-store", "swift", "RegionOne", "public",
                        raw.storageUrl().toString())), false);
        IOException e2 = assertThrows(IOException.class, () -> store.beginWrite(UUID.randomUUID().toString(), 1,
                noToken));
        assertTrue(e2.getMessage().contains("needs a Keystone token"), e2.getMessage());
        IOException e3 = assertThrows(IOException.class, () -> store.beginWrite(UUID.randomUUID().toString(), 1));
        assertTrue(e3.getMessage().contains("needs the token of the user"), e3.getMessage());
    }

    @Test
    void swiftStoreEndpointIsUsedInsteadOfTheCatalog() throws Exception {
        SwiftStore fixed = store("swift_store_endpoint = " + raw.storageUrl());
        try {
            RequestContext me = new RequestContext("r", "u", "p", Set.of("member"), raw.token(), List.of(), false);
            String id = UUID.randomUUID().toString();
            container(id);
            String url;
            try (StoreWrite w = fixed.beginWrite(id, 5, me)) {
                writeAll(w, random(5, 4));
                url = w.commit();
            }
            assertTrue(url.contains(raw.storageUrl().encodedPath()), url);
            assertEquals(5, readAll(fixed, url, me).length);
            fixed.delete(url, me);
        } finally {
            fixed.close();
        }
    }
}
