package org.ferry.replication.config;

import org.ferry.config.ConfigException;
import org.ferry.app.FerryConfig;
import org.ferry.config.IniFile;
import org.ferry.replication.clients.Credentials;
import org.ferry.replication.run.ReplicationJob;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** [replication] and [replication:<job>] as Ferry reads them at start-up: values, defaults, and refusals. */
class ReplicationConfigTest {
    static final List<String> BASE = List.of(
            "[DEFAULT]",
            "enabled_import_methods = [glance-direct, web-download, copy-image, glance-download]",
            "[glance_download_regions]",
            "RegionOne = http://127.0.0.1:9292",
            "RegionTwo = http://127.0.0.1:9393/v2",
            "RegionTwo.internal = http://10.0.0.2:9292");

    static FerryConfig load(String... lines) {
        List<String> all = new ArrayList<>(BASE);
        all.addAll(List.of(lines));
        return FerryConfig.from(IniFile.parse(all, "test.conf"), Path.of("/tmp"), Path.of("/tmp"));
    }

    static String refusal(String... lines) {
        return assertThrows(ConfigException.class, () -> load(lines)).getMessage();
    }

    @Test
    void noReplicationSectionMeansNoJobs() {
        assertEquals(List.of(), load().replication().jobs());
        assertEquals(Duration.ofSeconds(60), load().replication().lease());
    }

    @Test
    void aMinimalJobTakesTheDefaults() {
        ReplicationJob j = load("[replication]", "jobs = public", "[replication:public]",
                "source_regions = RegionOne").replication().job("public").orElseThrow();
        assertEquals(List.of("RegionOne"), j.sourceRegions());
        assertTrue(j.targetIsSelf());
        assertEquals("public", j.iface());
        assertEquals(List.of("public"), j.selection().visibilities());
        assertEquals(Optional.empty(), j.selection().owner());
        assertEquals(Optional.empty(), j.schedule());
        assertEquals(2, j.concurrency());
        assertTrue(j.preserveIds());
        assertEquals(ReplicationJob.OnSourceDeleted.REPORT, j.onSourceDeleted());
        assertEquals(Duration.ofHours(6), j.importTimeout());
        assertInstanceOf(Credentials.None.class, j.credentials());
    }

    @Test
    void everyOptionIsRead() {
        FerryConfig c = load("[replication]", "jobs = factory, public", "lease_seconds = 30",
                "[replication:factory]",
                "source_regions = RegionOne, RegionTwo",
                "target_region = RegionThree",
                "interface = internal",
                "visibility = [public, community]",
                "owner = factory-project",
                "tags = golden, lts",
                "properties = os_distro:ubuntu, hw_firmware_type:uefi",
                "schedule = 0 0/30 * * * ?",
                "concurrency = 4",
                "preserve_ids = false",
                "on_source_deleted = delete",
                "import_timeout = 600",
                "auth_url = https://keystone.example.org:5000/v3/",
                "application_credential_id = abc",
                "application_credential_secret = s3cret",
                "[replication:public]",
                "source_regions = RegionOne",
                "target_endpoint = https://images.r3.example.org/v2",
                "auth_url = https://keystone.example.org:5000",
                "username = replicator",
                "password = pw",
                "project_name = service",
                "user_domain_name = Users");
        assertEquals(Duration.ofSeconds(30), c.replication().lease());
        ReplicationJob f = c.replication().job("factory").orElseThrow();
        assertEquals(List.of("RegionOne", "RegionTwo"), f.sourceRegions());
        assertEquals(Optional.of("RegionThree"), f.targetRegion());
        assertEquals("internal", f.iface());
        assertEquals(List.of("public", "community"), f.selection().visibilities());
        assertEquals(Optional.of("factory-project"), f.selection().owner());
        assertEquals(List.of("golden", "lts"), f.selection().tags());
        assertEquals(Map.of("os_distro", "ubuntu", "hw_firmware_type", "uefi"), f.selection().properties());
        assertEquals(Optional.of("0 0/30 * * * ?"), f.schedule());
        assertEquals(4, f.concurrency());
        assertEquals(false, f.preserveIds());
        assertEquals(ReplicationJob.OnSourceDeleted.DELETE, f.onSourceDeleted());
        assertEquals(Duration.ofSeconds(600), f.importTimeout());
        assertEquals(new Credentials.ApplicationCredential("https://keystone.example.org:5000/v3", "abc", "s3cret"),
                f.credentials());
        ReplicationJob p = c.replication().job("public").orElseThrow();
        assertEquals(Optional.of("https://images.r3.example.org/v2"), p.targetEndpoint());
        assertEquals(new Credentials.Password("https://keystone.example.org:5000", "replicator", "pw", "service",
                "Users", "Default"), p.credentials());
        assertTrue(!p.credentials().toString().contains("pw,"), "no password in logs: " + p.credentials());
    }

    @Test
    void badValuesNameSectionOptionAndValue() {
        String[] job = {"[replication]", "jobs = a", "[replication:a]", "source_regions = RegionOne"};
        assertEquals("[replication:a] schedule = every night: not a Quartz cron expression (Illegal characters "
                        + "for this position: 'EVE'); e.g. '0 0 3 * * ?' = daily at 03:00 (seconds minutes hours "
                        + "day-of-month month day-of-week)",
                refusal(with(job, "schedule = every night")));
        assertEquals("[replication:a] concurrency = 0: must be between 1 and 64", refusal(with(job, "concurrency = 0")));
        assertEquals("[replication:a] preserve_ids = maybe: not a boolean (true or false)",
                refusal(with(job, "preserve_ids = maybe")));
        assertEquals("[replication:a] on_source_deleted = purge: must be report or delete",
                refusal(with(job, "on_source_deleted = purge")));
        assertEquals("[replication:a] visibility = all: must be a list of public, community, shared, private",
                refusal(with(job, "visibility = all")));
        assertEquals("[replication:a] properties = os_distro: 'os_distro' is not key:value",
                refusal(with(job, "properties = os_distro")));
        assertEquals("[replication:a] interface = private: must be public, internal or admin",
                refusal(with(job, "interface = private")));
        assertEquals("[replication:a] source_region = RegionOne: unknown option",
                refusal(with(job, "source_region = RegionOne")));
        assertEquals("[replication:a] target_endpoint = ftp://x: not an http(s) URL",
                refusal(with(job, "target_endpoint = ftp://x")));
        assertEquals("[replication:a] target_endpoint = http://x: set target_region or target_endpoint, not both",
                refusal(with(job, "target_region = RegionTwo", "target_endpoint = http://x")));
        assertEquals("[replication:a] target_region = RegionOne: is also a source region",
                refusal(with(job, "target_region = RegionOne")));
        assertEquals("[replication:a] auth_url = : username is set, so auth_url is required",
                refusal(with(job, "username = replicator")));
        assertEquals("[replication:a] project_name = : required with auth_url (or use application_credential_id "
                        + "and application_credential_secret)",
                refusal(with(job, "auth_url = http://k:5000", "username = u", "password = p")));
        assertEquals("[replication:a] application_credential_secret = : required with the other application "
                + "credential option", refusal(with(job, "auth_url = http://k:5000", "application_credential_id = x")));
        assertEquals("[replication:a] username = u: set either username/password or application_credential_id/"
                        + "secret, not both", refusal(with(job, "auth_url = http://k:5000", "username = u",
                "application_credential_id = x", "application_credential_secret = y")));
    }

    @Test
    void jobsAndRegionsMustExist() {
        assertEquals("[replication] jobs = a, b: job 'b' has no [replication:b] section",
                refusal("[replication]", "jobs = a, b", "[replication:a]", "source_regions = RegionOne"));
        assertEquals("[replication] jobs = a, a: job 'a' appears twice",
                refusal("[replication]", "jobs = a, a", "[replication:a]", "source_regions = RegionOne"));
        assertEquals("[replication] jobs = a/b: 'a/b' is not a job name (letters, digits, '.', '_', '-'; up to 100)",
                refusal("[replication]", "jobs = a/b"));
        assertEquals("[replication] job = a: unknown option (known: jobs, lease_seconds)",
                refusal("[replication]", "job = a"));
        assertEquals("[replication] lease_seconds = 1: must be between 5 and 3600",
                refusal("[replication]", "lease_seconds = 1"));
        assertEquals("[replication:a] source_regions = : at least one source region is required",
                refusal("[replication]", "jobs = a", "[replication:a]", "concurrency = 1"));
        assertEquals("[replication:a] source_regions = RegionOne, RegionNine: region RegionNine (public interface) "
                        + "is not in [glance_download_regions]; without auth_url the job finds regions there",
                refusal("[replication]", "jobs = a", "[replication:a]", "source_regions = RegionOne, RegionNine"));
        assertEquals("[replication:a] source_regions = RegionOne: region RegionOne (internal interface) is not in "
                        + "[glance_download_regions]; without auth_url the job finds regions there",
                refusal("[replication]", "jobs = a", "[replication:a]", "source_regions = RegionOne",
                        "interface = internal"));
        // with Keystone the catalog is only known at run time
        assertEquals(List.of("RegionNine"), load("[replication]", "jobs = a", "[replication:a]",
                "source_regions = RegionNine", "auth_url = http://k:5000", "username = u", "password = p",
                "project_name = s").replication().jobs().get(0).sourceRegions());
    }

    @Test
    void thisFerryAsTargetNeedsGlanceDownloadAndWithKeystoneCredentials() {
        List<String> noDownload = new ArrayList<>(List.of("[DEFAULT]", "enabled_import_methods = web-download",
                "[glance_download_regions]", "RegionOne = http://127.0.0.1:9292", "[replication]", "jobs = a",
                "[replication:a]", "source_regions = RegionOne"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> FerryConfig.from(IniFile.parse(noDownload, "t"), Path.of("/tmp"), Path.of("/tmp")));
        assertEquals("[replication:a] target_region = : the target is this Ferry, whose [DEFAULT] "
                + "enabled_import_methods lacks glance-download", e.getMessage());

        assertEquals("[replication:a] auth_url = : the target is this Ferry, which validates Keystone tokens "
                        + "([paste_deploy] flavor = keystone): the job needs credentials",
                refusal("[paste_deploy]", "flavor = keystone", "[keystone_authtoken]", "auth_url = http://k:5000",
                        "username = glance", "password = p", "project_name = service", "[replication]", "jobs = a",
                        "[replication:a]", "source_regions = RegionOne"));
    }

    /**
     * Job options follow oslo.config as [DEFAULT] does: an empty boolean is refused (it took the default), a property
     * key may appear once (the last one won).
     */
    @Test
    void emptyBooleansAndRepeatedPropertiesAreRefused() {
        String[] job = {"[replication]", "jobs = a", "[replication:a]", "source_regions = RegionOne"};
        assertEquals("[replication:a] preserve_ids = : not a boolean (true or false)",
                refusal(with(job, "preserve_ids =")));
        assertEquals("[replication:a] properties = os_distro:a, os_distro:b: 'os_distro' appears twice",
                refusal(with(job, "properties = os_distro:a, os_distro:b")));
        assertEquals(2, load(with(job, "concurrency =")).replication().job("a").orElseThrow().concurrency());
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
