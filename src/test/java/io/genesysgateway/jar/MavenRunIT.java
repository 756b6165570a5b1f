package io.genesysgateway.jar;

import java.io.File;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import org.junit.jupiter.api.Test;


/** The second way to run: {@code mvn camel:run} from the project root, end to end against the simulator. */
class MavenRunIT {

    @Test
    void theGatewayRunsFromMaven() throws Exception {
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder("mvn", "-q", "-B", "camel:run",
                    "-Dcamel.main.duration-max-seconds=180").directory(new File(".")).redirectErrorStream(true);
            builder.environment().putAll(Map.of(
                    "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "STORE_DATA_DIR", java.nio.file.Files.createTempDirectory("gateway-store-").toString(), "GATEWAY_API_KEY", "maven-key", "GATEWAY_PORT", Integer.toString(port)));
            Process process = builder.start();
            Thread pump = new Thread(() -> process.inputReader().lines().forEach(l -> System.out.println("[mvn] " + l)));
            pump.setDaemon(true);
            pump.start();
            RunningGateway gateway = new RunningGateway(port, "maven-key");
            try {
                gateway.awaitUp(process, Duration.ofMinutes(2));
                gateway.deliversOneConversation(simulator, sink, "");
            } finally {
                RunningGateway.stop(process);
            }
        }
    }
}
