package io.genesysgateway.e2e;

import java.util.Properties;

/** The durability scenarios on the default store: an embedded H2 file under store.data-dir. */
class DurabilityOnH2Test extends DurabilityScenarios {

    @Override
    protected void storeProperties(Properties p) {
        // nothing: the default
    }
}
