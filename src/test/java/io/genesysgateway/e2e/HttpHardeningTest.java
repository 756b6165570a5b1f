package io.genesysgateway.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.genesysgateway.GatewayTestSupport;
import io.genesysgateway.LogCapture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP API probed as an attacker would (issue 11): nothing from a request comes back as a response header,
 * the key is taken only from headers, nothing a client sends forges a log line, every refusal is JSON, the open
 * endpoints say only what a probe needs, {@code curl -d} works, slow clients are cut.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpHardeningTest extends GatewayTestSupport {

    private static final List<String> REFLECTED = List.of("set-cookie", "refresh", "access-control-allow-origin",
            "x-api-key", "x-evil", "location", "authorization");
    private static final String EVIL_QUERY = "?Set-Cookie=s%3Devil&Refresh=0%3Burl%3Dhttp%3A%2F%2Fevil.example%2F"
            + "&Access-Control-Allow-Origin=https://evil.example&Location=http://evil.example/&X-Evil=1";

    @Override
    protected void gatewayProperties(Properties p) {
        p.put("gateway.http.header-timeout-seconds", "2");
        p.put("gateway.http.max-connections", "40");
    }

    @Test
    @Order(1)
    void aClientCannotForgeALogLine() throws Exception {
        String forged = "12:00:00.000 [main] ERROR io.genesysgateway - forged";
        // a path that is not the API's: one WARN line naming it, its CR/LF and ESC escaped
        HttpResponse<String> response = send("GET", "/nope%0a" + forged.replace(" ", "%20").replace("[", "%5b").replace("]", "%5d") + "%1b%5b31m%0d%0a", null, true);

        assertThat(response.statusCode()).isEqualTo(404);
        assertJsonError(response, "not found");
        await().atMost(Duration.ofSeconds(5)).until(() -> LogCapture.lines().stream().anyMatch(l -> l.contains("/nope")));
        String line = LogCapture.lines().stream().filter(l -> l.contains("/nope")).findFirst().orElseThrow();
        System.out.println("log line for the injection probe: " + line);
        assertThat(line).contains("WARN").contains("/nope\\n" + forged + "\\e[31m\\r\\n");
        assertThat(LogCapture.lines()).noneMatch(l -> l.startsWith(forged));
        assertThat(String.join("\n", LogCapture.lines())).doesNotContain("\u001b");
    }

    @Test
    @Order(2)
    void malformedRequestsAreOneWarnLineEachWithoutAStackTrace() throws Exception {
        int before = LogCapture.lines().size();
        for (int i = 0; i < 100; i++) {
            // a query parameter whose name holds LF and ESC: it was reflected into a header and failed with a 500
            HttpResponse<String> response = send("GET", "/status.html?na%0ame%1b%5b31m=x" + i, null, false);
            assertThat(response.statusCode()).isEqualTo(200);
            // a GET with a form body: was a 500 with a Vert.x stack trace
            HttpResponse<String> form = http.send(HttpRequest.newBuilder(uri("/dead-letters")).header("X-API-Key", API_KEY)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .method("GET", HttpRequest.BodyPublishers.ofString("a=b")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(form.statusCode()).isEqualTo(200);
            assertThat(form.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(send("GET", "/nope-" + i, null, false).statusCode()).isEqualTo(404);
        }
        List<String> added = LogCapture.lines().subList(before, LogCapture.lines().size());
        System.out.println("log lines written by 300 bad or odd requests: " + added.size());
        assertThat(added.stream().filter(l -> l.contains("HTTP request refused (404")).count()).isLessThanOrEqualTo(1);
        assertThat(added).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
        assertThat(added.size()).isLessThan(10);
    }

    @Test
    void noQueryParameterOrRequestHeaderBecomesAResponseHeader() throws Exception {
        for (String path : List.of("/status.html", "/status", "/dead-letters", "/customers/supportInteraction/"
                + newConversationId(), "/observe/health", "/observe/metrics", "/nope")) {
            for (boolean withKey : List.of(false, true)) {
                HttpResponse<String> response = send("GET", path + EVIL_QUERY, null, withKey);
                assertThat(response.headers().map().keySet()).as(path + (withKey ? " with key" : " without key"))
                        .allSatisfy(h -> assertThat(REFLECTED).doesNotContain(h.toLowerCase()));
            }
        }
        HttpResponse<String> trigger = send("POST", "/customers/supportInteraction" + EVIL_QUERY,
                "{\"conversationId\":\"" + newConversationId() + "\"}", true);
        assertThat(trigger.statusCode()).isEqualTo(202);
        assertThat(trigger.headers().map().keySet()).allSatisfy(h -> assertThat(REFLECTED).doesNotContain(h.toLowerCase()));
        HttpResponse<String> replay = send("POST", "/dead-letters/replay" + EVIL_QUERY, "", true);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.headers().map().keySet()).allSatisfy(h -> assertThat(REFLECTED).doesNotContain(h.toLowerCase()));
    }

    @Test
    void theKeyIsTakenOnlyFromHeaders() throws Exception {
        for (String query : List.of("?X-API-Key=" + API_KEY, "?x_api_key=" + API_KEY, "?Authorization=Bearer%20" + API_KEY,
                "?anything=" + API_KEY)) {
            for (boolean alsoInHeader : List.of(false, true)) {
                HttpResponse<String> response = send("GET", "/status" + query, null, alsoInHeader);
                assertThat(response.statusCode()).as(query).isEqualTo(401);
                assertJsonError(response, "unauthorized");
                assertThat(new JsonObject(response.body()).getString("message")).contains("X-API-Key header")
                        .contains("never in the URL");
            }
        }
        // a form field named like the key, as curl -d 'X-API-Key=…' sends it
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(uri("/dead-letters/replay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("X-API-Key=" + API_KEY)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(form.body()).getString("message")).contains("X-API-Key header");
        assertThat(send("GET", "/status", null, true).statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(uri("/status")).header("Authorization", "Bearer " + API_KEY).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void everyRefusalIsJson() throws Exception {
        HttpResponse<String> notFound = send("GET", "/no/such/endpoint", null, true);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertJsonError(notFound, "not found");

        HttpResponse<String> wrongMethod = send("DELETE", "/status", null, true);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertJsonError(wrongMethod, "method not allowed");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");

        HttpResponse<String> head = send("HEAD", "/status", null, true);
        assertThat(head.statusCode()).isEqualTo(405);
        assertThat(head.headers().firstValue("Allow")).hasValue("GET");
        assertThat(head.headers().firstValue("Content-Type")).hasValue("application/json");

        HttpResponse<String> getOnPost = send("GET", "/customers/supportInteraction", null, true);
        assertThat(getOnPost.statusCode()).isEqualTo(405);
        assertThat(getOnPost.headers().firstValue("Allow")).hasValue("POST");
        assertJsonError(getOnPost, "method not allowed");

        // over the server's 1 MB limit: refused before the key is even looked at
        HttpResponse<String> huge = send("POST", "/customers/supportInteraction", "x".repeat(1_100_000), false);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertJsonError(huge, "request too large");

        HttpResponse<String> badTrigger = send("POST", "/customers/supportInteraction", "{", true);
        assertThat(badTrigger.statusCode()).isEqualTo(400);
        assertThat(badTrigger.headers().firstValue("Content-Type")).hasValue("application/json");

        HttpResponse<String> unauthorized = send("GET", "/status", null, false);
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertJsonError(unauthorized, "unauthorized");

        Raw longLine = raw("GET /status?" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(longLine.status).isEqualTo(414);
        assertThat(longLine.json().getString("error")).isEqualTo("request line too long");

        Raw bigHeaders = raw("GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n");
        assertThat(bigHeaders.status).isEqualTo(431);
        assertThat(bigHeaders.json().getString("error")).isEqualTo("request headers too large");

        Raw garbage = raw("GET /status HTTP/1.1\r\nHost: x\r\nno colon here\r\nContent-Length: nope\r\n\r\n");
        assertThat(garbage.status).isEqualTo(400);
        assertThat(garbage.json().getString("error")).isEqualTo("bad request");

        HttpResponse<String> info = send("GET", "/observe/info", null, false);
        assertThat(info.statusCode()).as("/observe/info is off").isEqualTo(404);
        assertJsonError(info, "not found");
    }

    @Test
    void openEndpointsSayOnlyWhatAProbeNeeds() throws Exception {
        trackAndAwaitSubscription(newConversationId(), new JsonObject());
        for (String path : List.of("/observe/health", "/observe/health/ready", "/observe/health/live",
                "/observe/health?exposureLevel=full&data=true&stackTrace=true")) {
            HttpResponse<String> open = send("GET", path, null, false);
            assertThat(open.statusCode()).as(path).isEqualTo(200);
            assertThat(open.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonObject health = new JsonObject(open.body());
            assertThat(health.getString("status")).isEqualTo("UP");
            assertThat(open.body()).as(path).doesNotContain("streaming-").doesNotContain("://").doesNotContain("details")
                    .doesNotContain(dataDir().toString());
        }
        HttpResponse<String> keyed = send("GET", "/observe/health", null, true);
        assertThat(keyed.body()).contains("genesys-gateway").contains("details").contains("\"topics\"");

        HttpResponse<String> metrics = send("GET", "/observe/metrics", null, false);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("genesys_gateway_topics").doesNotContain("streaming-")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void curlDashDWorksAsTheReadmePrintsIt() throws Exception {
        String id = newConversationId();
        // what curl -H 'X-API-Key: …' -X POST …/customers/supportInteraction -d '{…}' sends
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/customers/supportInteraction"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + id + "\",\"caseId\":\"CASE-77\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(new JsonObject(response.body()).getJsonObject("context").getString("caseId")).isEqualTo("CASE-77");
    }

    @Test
    void slowClientsAreCut() throws Exception {
        // headers sent byte by byte, one every 300 ms: never complete within the 2 s header timeout
        long started = System.nanoTime();
        long cutAfter = -1;
        try (Socket socket = new Socket("127.0.0.1", gatewayPort)) {
            socket.setSoTimeout(50);
            System.out.println("slow client from local port " + socket.getLocalPort());
            OutputStream out = socket.getOutputStream();
            byte[] request = ("GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(100)).getBytes();
            for (int i = 0; i < request.length && cutAfter < 0; i++) {
                try {
                    out.write(request[i]);
                    out.flush();
                    if (socket.getInputStream().read() == -1) {
                        cutAfter = (System.nanoTime() - started) / 1_000_000;
                    }
                } catch (SocketTimeoutException stillOpen) {
                    Thread.sleep(250);
                } catch (IOException reset) {
                    cutAfter = (System.nanoTime() - started) / 1_000_000;
                }
            }
        }
        System.out.printf("a client trickling headers was cut after %d ms (header timeout 2 s)%n", cutAfter);
        assertThat(cutAfter).as("cut at all").isPositive();
        assertThat(cutAfter).isBetween(1_500L, 10_000L);

        // the connection bound (40 here): the 41st is closed at once, and the API still answers
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                idle.add(new Socket("127.0.0.1", gatewayPort));
            }
            Thread.sleep(300);
            try (Socket extra = new Socket("127.0.0.1", gatewayPort)) {
                extra.setSoTimeout(5_000);
                int read;
                try {
                    read = extra.getInputStream().read();
                } catch (IOException reset) {
                    read = -1;
                }
                assertThat(read).as("the connection beyond the bound is closed").isEqualTo(-1);
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> send("GET", "/status", null, true).statusCode() == 200);
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String body, boolean withKey) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(pathAndQuery)).header("X-Evil", "1")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (withKey) {
            builder.header("X-API-Key", API_KEY);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gatewayPort + pathAndQuery);
    }

    private static void assertJsonError(HttpResponse<String> response, String error) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new JsonObject(response.body()).getString("error")).isEqualTo(error);
    }

    /** A request written byte for byte on a socket, for what an HTTP client library refuses to send. */
    private static Raw raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gatewayPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (SocketTimeoutException | java.net.SocketException done) {
                // the server answered and kept or reset the connection
            }
            String all = text.toString();
            int status = Integer.parseInt(all.substring(9, 12));
            int bodyAt = all.indexOf("\r\n\r\n");
            return new Raw(status, all.substring(0, bodyAt), all.substring(bodyAt + 4));
        }
    }

    private record Raw(int status, String head, String body) {
        JsonObject json() {
            assertThat(head.toLowerCase()).contains("content-type: application/json");
            return new JsonObject(body);
        }
    }
}
