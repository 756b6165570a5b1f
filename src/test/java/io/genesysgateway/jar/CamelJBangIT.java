package io.genesysgateway.jar;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The third way to run: Camel JBang ({@code bin/camel run-gateway}) over the same routes, properties and Java
 * beans, end to end against the simulator. JBang resolves its components from Maven Central at run time.
 */
class CamelJBangIT {

    @Test
    void theRoutesRunUnderCamelJBang(@TempDir Path home) throws Exception {
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder("bin/camel", "run-gateway", "--max-seconds=240")
                    .directory(new File(".")).redirectErrorStream(true);
            builder.environment().putAll(java.util.Map.of(
                    "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "STORE_DATA_DIR", java.nio.file.Files.createTempDirectory("gateway-store-").toString(), "GATEWAY_API_KEY", "jbang-key", "GATEWAY_PORT", Integer.toString(port),
                    // keep JBang's ~/.camel state out of the real home
                    "JAVA_TOOL_OPTIONS", "-Duser.home=" + home + " -Dmaven.repo.local=" + System.getProperty("user.home") + "/.m2/repository"));
            Process process = builder.start();
            Thread pump = new Thread(() -> process.inputReader().lines().forEach(l -> System.out.println("[jbang] " + l)));
            pump.setDaemon(true);
            pump.start();
            RunningGateway gateway = new RunningGateway(port, "jbang-key");
            try {
                gateway.awaitUp(process, Duration.ofMinutes(4));
                String id = gateway.deliversOneConversation(simulator, sink, ",\"caseId\":\"JB-1\"");
                assertThat(sink.forConversation(id).get(0).body().getJsonObject("context").getString("caseId")).isEqualTo("JB-1");
            } finally {
                RunningGateway.stop(process);
            }
        }
    }

}
