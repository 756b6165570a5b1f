package io.genesysgateway.e2e;

import java.util.Properties;

/** The durability scenarios on the default store: an embedded SQLite file under store.data-dir. */
class DurabilityOnSqliteTest extends DurabilityScenarios {

    @Override
    protected void storeProperties(Properties p) {
        // nothing: the default
    }
}
