package io.genesysgateway.simulator;

import java.util.Map;

/**
 * Runs the simulator as its own process: {@code SimulatorMain [port] [clientId] [clientSecret]}.
 * Used by the sandbox; prints one line with its URL once it listens.
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9080;
        SimulatorSettings settings = SimulatorSettings.defaults().withPort(port);
        if (args.length > 2) {
            settings = new SimulatorSettings(settings.host(), port, Map.of(args[1], args[2]), settings.permissions(),
                    settings.tokenLifetimeSeconds(), settings.heartbeatIntervalMillis(), settings.maxChannels(),
                    settings.maxTopicsPerChannel(), settings.channelLifetimeMillis(), settings.requestsPerMinute(), null);
        }
        GenesysSimulator simulator = new GenesysSimulator(settings).start();
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        System.out.println("Genesys Cloud simulator listening on " + simulator.baseUrl());
    }
}
