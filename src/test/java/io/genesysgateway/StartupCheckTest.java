package io.genesysgateway;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the routes come from is checked before start: a wrong value would otherwise start a gateway with no routes. */
class StartupCheckTest {

    @Test
    void theJarsOwnRoutesAndAnExistingFolderAreAccepted(@TempDir Path folder) {
        assertThat(StartupCheck.routesProblem("classpath:routes", false)).isNull();
        assertThat(StartupCheck.routesProblem("file:" + folder, false)).isNull();
        assertThat(StartupCheck.routesProblem("file:" + folder, true)).isNull();
    }

    @Test
    void aMissingFolderIsNamed(@TempDir Path folder) {
        assertThat(StartupCheck.routesProblem("file:" + folder.resolve("nope"), false))
                .startsWith("routes folder '" + folder.resolve("nope") + "' not found");
    }

    @Test
    void aFolderWithoutSchemeIsRefusedWithTheFix() {
        assertThat(StartupCheck.routesProblem("/opt/gateway/routes", false))
                .isEqualTo("gateway.routes-dir '/opt/gateway/routes' must start with file: (a folder, e.g."
                        + " GATEWAY_ROUTES_DIR=file:/opt/gateway/routes) or classpath: (the routes inside the jar)");
    }

    @Test
    void reloadNeedsAFolder() {
        assertThat(StartupCheck.routesProblem("classpath:routes", true)).contains("GATEWAY_ROUTES_DIR=file:");
    }

    @Test
    void aRetiredSettingStillSetIsNamedWithItsReplacement() throws Exception {
        try (var context = new org.apache.camel.impl.DefaultCamelContext()) {
            var properties = context.getPropertiesComponent();
            assertThat(StartupCheck.retiredSettings(properties)).isEmpty();
            java.util.Properties set = new java.util.Properties();
            set.setProperty("history.max-attempts", "10");
            properties.setInitialProperties(set);
            assertThat(StartupCheck.retiredSettings(properties)).containsExactly("history.max-attempts (HISTORY_MAX_ATTEMPTS)"
                    + " is no longer read: records are retried until history.max-age-seconds (HISTORY_MAX_AGE_SECONDS)");
        }
    }

    @Test
    void clusterModeNeedsTheSharedPostgreSqlStore() {
        assertThat(StartupCheck.clusterProblem("", "")).as("alone, on the embedded store").isNull();
        assertThat(StartupCheck.clusterProblem("zk:2181", "jdbc:postgresql://db:5432/gateway")).isNull();
        assertThat(StartupCheck.clusterProblem("zk:2181", "")).isEqualTo("cluster.zookeeper (CLUSTER_ZOOKEEPER) is set"
                + " but the store is the embedded SQLite file: the instances of a cluster share one PostgreSQL"
                + " (set STORE_URL=jdbc:postgresql://host:5432/db)");
        assertThat(StartupCheck.clusterProblem("zk:2181", "jdbc:sqlite:/data/gateway.db")).contains("is not PostgreSQL");
    }
}
