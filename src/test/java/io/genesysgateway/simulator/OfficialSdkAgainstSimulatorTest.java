package io.genesysgateway.simulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mypurecloud.sdk.v2.ApiClient;
import com.mypurecloud.sdk.v2.ApiException;
import com.mypurecloud.sdk.v2.api.NotificationsApi;
import com.mypurecloud.sdk.v2.extensions.notifications.NotificationEvent;
import com.mypurecloud.sdk.v2.extensions.notifications.NotificationHandler;
import com.mypurecloud.sdk.v2.extensions.notifications.NotificationListener;
import com.mypurecloud.sdk.v2.model.Channel;
import com.mypurecloud.sdk.v2.model.ChannelTopic;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The official Genesys Cloud Java SDK (platform-client-v2 198.1.0) talks to the simulator as it would to Genesys:
 * the proof that the simulator's REST shapes and socket messages are the real ones.
 */
class OfficialSdkAgainstSimulatorTest {

    private static GenesysSimulator simulator;
    private static NotificationsApi api;

    @BeforeAll
    static void start() throws Exception {
        simulator = new GenesysSimulator(SimulatorSettings.defaults()).start();
        // the SDK's own client-credentials login always goes to https://login.<domain>: get the token by hand
        HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/oauth/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (SimulatorSettings.CLIENT_ID + ":" + SimulatorSettings.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        JsonObject json = new JsonObject(token.body());
        assertThat(json.getString("token_type")).isEqualTo("bearer");
        ApiClient client = ApiClient.Builder.standard().withBasePath(simulator.baseUrl())
                .withAccessToken(json.getString("access_token")).build();
        api = new NotificationsApi(client);
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @Test
    void notificationsApiCallsWork() throws Exception {
        Channel channel = api.postNotificationsChannels();
        assertThat(channel.getId()).matches("streaming-\\d-[0-9a-f]+");
        assertThat(channel.getConnectUri()).isEqualTo("ws://127.0.0.1:" + simulator.port() + "/channels/" + channel.getId());
        assertThat(channel.getExpires()).isAfter(new java.util.Date(System.currentTimeMillis() + 23 * 3600_000L));

        api.headNotificationsChannel(channel.getId());
        String topic = "v2.detail.events.conversation." + UUID.randomUUID() + ".acw";
        var listing = api.postNotificationsChannelSubscriptions(channel.getId(), List.of(new ChannelTopic().id(topic)), false);
        assertThat(listing.getEntities()).extracting(ChannelTopic::getId).containsExactly(topic);
        assertThat(api.getNotificationsChannelSubscriptions(channel.getId()).getEntities()).hasSize(1);

        String other = "v2.detail.events.conversation." + UUID.randomUUID() + ".acw";
        api.putNotificationsChannelSubscriptions(channel.getId(), List.of(new ChannelTopic().id(other)), false);
        assertThat(api.getNotificationsChannelSubscriptions(channel.getId()).getEntities())
                .extracting(ChannelTopic::getId).containsExactly(other);
        api.deleteNotificationsChannelSubscriptions(channel.getId());
        assertThat(api.getNotificationsChannelSubscriptions(channel.getId()).getEntities()).isEmpty();

        assertThat(api.getNotificationsChannels("token").getEntities()).extracting(Channel::getId).contains(channel.getId());

        assertThatThrownBy(() -> api.headNotificationsChannel("streaming-0-doesnotexist"))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).getStatusCode()).isEqualTo(404);
    }

    @Test
    void limitsAndErrorsAreThoseOfGenesys() throws Exception {
        Channel channel = api.postNotificationsChannels();
        List<ChannelTopic> tooMany = java.util.stream.IntStream.range(0, 1_001)
                .mapToObj(i -> new ChannelTopic().id("v2.detail.events.conversation." + UUID.randomUUID() + ".acw")).toList();
        assertThatThrownBy(() -> api.postNotificationsChannelSubscriptions(channel.getId(), tooMany, false))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> {
                    ApiException api400 = (ApiException) e;
                    assertThat(api400.getStatusCode()).isEqualTo(400);
                    assertThat(api400.getHeaders().keySet()).anyMatch(h -> h.equalsIgnoreCase("ININ-Correlation-ID"));
                    JsonObject error = new JsonObject(api400.getRawBody());
                    assertThat(error.getString("code")).isEqualTo("notification.too.many.topics");
                    assertThat(error.getInteger("status")).isEqualTo(400);
                    assertThat(error.getString("message")).contains("1000");
                });
        assertThatThrownBy(() -> api.postNotificationsChannelSubscriptions(channel.getId(),
                List.of(new ChannelTopic().id("v2.system.socket_closing")), false))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).getStatusCode()).isEqualTo(400);
        assertThat(api.getNotificationsChannelSubscriptions(channel.getId()).getEntities()).isEmpty();
    }

    @Test
    void twentyFirstChannelEvictsTheLeastRecentlyUsedOneWithoutASocket() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (Channel c : api.getNotificationsChannels("oauthclient").getEntities()) {
            ids.add(c.getId());
        }
        while (ids.size() < 20) {
            ids.add(api.postNotificationsChannels().getId());
        }
        String oldest = simulator.channels().stream().min(java.util.Comparator.comparingLong(c -> c.lastUsed))
                .orElseThrow().id();
        Channel twentyFirst = api.postNotificationsChannels();
        assertThat(simulator.channels()).hasSize(20);
        assertThat(simulator.channel(oldest)).isEmpty();
        assertThat(simulator.channel(twentyFirst.getId())).isPresent();
        assertThatThrownBy(() -> api.headNotificationsChannel(oldest)).isInstanceOf(ApiException.class);
    }

    @Test
    void notificationHandlerReceivesAnAcwEvent() throws Exception {
        String conversationId = UUID.randomUUID().toString();
        String topic = "v2.detail.events.conversation." + conversationId + ".acw";
        List<NotificationEvent<?>> received = new CopyOnWriteArrayList<>();
        NotificationHandler handler = NotificationHandler.Builder.standard()
                .withNotificationsApi(api)
                .withNotificationListener(new NotificationListener<Map<String, Object>>() {
                    @Override
                    public String getTopic() {
                        return topic;
                    }

                    @Override
                    public Class<?> getEventBodyClass() {
                        // a Map, not the SDK's AcwDetailEventTopicAfterCallWorkEvent: its Integer eventTime
                        // cannot hold epoch milliseconds (shared/reference/genesys-notifications.md section 5)
                        return Map.class;
                    }

                    @Override
                    public void onEvent(NotificationEvent<?> event) {
                        received.add(event);
                    }
                })
                .withAutoConnect(false) // false = connect now, synchronously
                .build();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.channelWithTopic(topic)
                    .map(GenesysSimulator.SimChannel::hasOpenSocket).orElse(false));
            AcwEvent acw = AcwEvent.sample(conversationId);
            assertThat(simulator.emitAcw(acw)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            NotificationEvent<?> event = received.get(0);
            assertThat(event.getTopicName()).isEqualTo(topic);
            assertThat(event.getVersion()).isEqualTo("2");
            assertThat(event.getMetadata().getCorrelationId()).isNotBlank();
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) event.getEventBody();
            assertThat(body.get("conversationId")).isEqualTo(conversationId);
            assertThat(((Number) body.get("eventTime")).longValue()).isEqualTo(acw.eventTime());
            assertThat(body.get("wrapupCode")).isEqualTo(acw.wrapupCode());
        } finally {
            handler.disconnect();
        }
    }
}
