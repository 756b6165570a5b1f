package io.genesysgateway.jar;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import io.genesysgateway.simulator.GenesysSimulator;
import io.genesysgateway.simulator.SimulatorSettings;
import io.genesysgateway.sink.HistorySink;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image as {@code mvn -Pimage package} builds it with Jib, opened as the OCI tarball it is. No
 * registry is reachable here to pull the Java base (eclipse-temurin:17-jre), so this builds the same profile on
 * {@code scratch} ({@code -Dimage.base=scratch}): the gateway's layers, entrypoint, user, port and folders are
 * exactly the shipped image's, only the base layers (the JRE) are missing. With no container engine either, the
 * entrypoint is then run on this machine's JVM against the image's extracted layers.
 */
class ContainerImageIT {

    private static final Path TARBALL = Path.of("target/image-check/genesys-gateway-image.tar");
    private static JsonObject config;
    private static Map<String, Layered> files;

    /** A file or folder of the image's file system, from the layer that put it there last. */
    record Layered(byte[] content, int mode, boolean directory, long uid) {
    }

    @BeforeAll
    static void buildAndOpenTheImage() throws Exception {
        Files.deleteIfExists(TARBALL);
        long started = System.nanoTime();
        Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-Pimage", "-Dimage.base=scratch",
                "-Dimage.tar=" + TARBALL, "com.google.cloud.tools:jib-maven-plugin:buildTar")
                .directory(new File(".")).redirectErrorStream(true).start();
        String out = new String(mvn.getInputStream().readAllBytes());
        assertThat(mvn.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(mvn.exitValue()).as(out).isZero();
        System.out.printf("IMAGE jib:buildTar %d ms, tarball %d MB%n", (System.nanoTime() - started) / 1_000_000,
                Files.size(TARBALL) / 1_000_000);

        Map<String, byte[]> blobs = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(TARBALL))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    blobs.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        JsonObject index = new JsonObject(new String(blobs.get("index.json")));
        JsonObject manifest = new JsonObject(new String(blob(blobs, index.getJsonArray("manifests").getJsonObject(0))));
        assertThat(manifest.getString("mediaType")).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        config = new JsonObject(new String(blob(blobs, manifest.getJsonObject("config")))).getJsonObject("config");
        files = new HashMap<>();
        for (Object layer : manifest.getJsonArray("layers")) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
                    new java.io.ByteArrayInputStream(blob(blobs, (JsonObject) layer))))) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String name = "/" + e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
                    files.put(name, new Layered(e.isFile() ? tar.readAllBytes() : null, e.getMode(), e.isDirectory(),
                            e.getLongUserId()));
                }
            }
        }
    }

    private static byte[] blob(Map<String, byte[]> blobs, JsonObject descriptor) {
        return blobs.get("blobs/sha256/" + descriptor.getString("digest").substring("sha256:".length()));
    }

    @Test
    void theEntrypointRunsTheGatewaySizedForItsContainer() {
        List<String> entrypoint = strings(config.getJsonArray("Entrypoint"));
        System.out.println("IMAGE entrypoint " + entrypoint);
        assertThat(entrypoint).startsWith("java").contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError")
                .endsWith("-cp", "@/app/jib-classpath-file", "io.genesysgateway.GatewayApplication");
        assertThat(new String(files.get("/app/jib-main-class-file").content()).trim())
                .isEqualTo("io.genesysgateway.GatewayApplication");
        assertThat(files).containsKey("/app/classes/io/genesysgateway/GatewayApplication.class");
        // every classpath entry is in the image
        String classpath = new String(files.get("/app/jib-classpath-file").content()).trim();
        assertThat(classpath.split(":")).hasSizeGreaterThan(50)
                .allSatisfy(entry -> assertThat(files).as("classpath entry " + entry).containsKey(entry));
    }

    @Test
    void itRunsAsANonRootUserOnPort8080() {
        assertThat(config.getString("User")).isEqualTo("65532:65532");
        assertThat(config.getJsonObject("ExposedPorts").fieldNames()).containsExactly("8080/tcp");
        assertThat(strings(config.getJsonArray("Env"))).contains("GATEWAY_PORT=8080");
        assertThat(config.getString("WorkingDir")).isEqualTo("/gateway");
        assertThat(config.getJsonObject("Volumes").fieldNames()).containsExactly("/gateway/data");
        // the store's folder is writable by that user even when nothing is mounted on it (Jib's files are root's)
        Layered data = files.get("/gateway/data");
        assertThat(data.directory()).isTrue();
        assertThat(data.mode() & 0777).isEqualTo(0777);
    }

    @Test
    void theRoutesMappingAndSettingsAreInside() throws IOException {
        List<Path> routes;
        try (Stream<Path> list = Files.list(Path.of("src/main/routes"))) {
            routes = list.sorted().toList();
        }
        assertThat(routes).extracting(p -> p.getFileName().toString())
                .contains("history-record.jsonata", "trigger.camel.yaml", "status.html");
        for (Path route : routes) {
            Layered inImage = files.get("/app/resources/routes/" + route.getFileName());
            assertThat(inImage).as(route + " in the image").isNotNull();
            assertThat(inImage.content()).as(route + " as in the project").isEqualTo(Files.readAllBytes(route));
        }
        assertThat(files.get("/app/resources/application.properties").content())
                .isEqualTo(Files.readAllBytes(Path.of("application.properties")));
    }

    @Test
    void theEntrypointStartsTheGatewayFromTheImageLayers(@TempDir Path root) throws Exception {
        for (Map.Entry<String, Layered> f : files.entrySet()) {
            Path target = root.resolve(f.getKey().substring(1));
            if (f.getValue().directory()) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                Files.write(target, f.getValue().content());
            }
        }
        // the layers' modes, so that the image's user meets the permissions the container would
        for (Map.Entry<String, Layered> f : files.entrySet()) {
            Files.setPosixFilePermissions(root.resolve(f.getKey().substring(1)), permissions(f.getValue().mode()));
        }
        Files.setPosixFilePermissions(root, permissions(0755));
        // the entrypoint as the container runs it, its /app paths moved under the extracted root
        List<String> command = new ArrayList<>();
        for (String arg : strings(config.getJsonArray("Entrypoint"))) {
            command.add(arg.equals("@/app/jib-classpath-file")
                    ? Arrays.stream(Files.readString(root.resolve("app/jib-classpath-file")).trim().split(":"))
                            .map(e -> root.resolve(e.substring(1)).toString()).collect(Collectors.joining(File.pathSeparator))
                    : arg);
        }
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // as root (CI) the process takes the image's user, as a container engine would
        String[] user = config.getString("User").split(":");
        boolean asImageUser = "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
        if (asImageUser) {
            command.addAll(0, List.of("/usr/bin/setpriv", "--reuid=" + user[0], "--regid=" + user[1], "--clear-groups"));
        }
        try (GenesysSimulator simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
             HistorySink sink = new HistorySink().start(0)) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(root.resolve(config.getString("WorkingDir").substring(1)).toFile())
                    .redirectErrorStream(true);
            // the image's environment, then what a deployment sets (no STORE_DATA_DIR: the image's folder is used)
            for (String env : strings(config.getJsonArray("Env"))) {
                builder.environment().put(env.substring(0, env.indexOf('=')), env.substring(env.indexOf('=') + 1));
            }
            builder.environment().putAll(Map.of(
                    "GENESYS_LOGIN_URL", simulator.baseUrl(), "GENESYS_API_URL", simulator.baseUrl(),
                    "GENESYS_CLIENT_ID", SimulatorSettings.CLIENT_ID, "GENESYS_CLIENT_SECRET", SimulatorSettings.CLIENT_SECRET,
                    "HISTORY_URL", sink.url(), "GATEWAY_API_KEY", "image-key", "GATEWAY_PORT", Integer.toString(port)));
            long started = System.nanoTime();
            Process process = builder.start();
            Thread pump = new Thread(() -> process.inputReader().lines().forEach(l -> System.out.println("[image] " + l)));
            pump.setDaemon(true);
            pump.start();
            RunningGateway gateway = new RunningGateway(port, "image-key");
            try {
                gateway.awaitUp(process, Duration.ofMinutes(2));
                // the real uid of the running process (a uid without a passwd entry has no user name)
                String uid = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                        .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
                System.out.printf("IMAGE entrypoint to health UP: %d ms, uid %s%n", (System.nanoTime() - started) / 1_000_000, uid);
                if (asImageUser) {
                    assertThat(uid).isEqualTo(user[0]);
                }
                gateway.deliversOneConversation(simulator, sink, "");
                assertThat(root.resolve("gateway/data/gateway.db")).as("the store in the image's data folder").exists();
            } finally {
                RunningGateway.stop(process);
            }
        }
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
        StringBuilder rwx = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            rwx.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return java.nio.file.attribute.PosixFilePermissions.fromString(rwx.toString());
    }

    private static List<String> strings(JsonArray array) {
        return array.stream().map(String::valueOf).toList();
    }
}
