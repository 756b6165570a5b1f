package io.genesysgateway.channel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of room, retirement, loss and moves, without Camel, Genesys or a socket. */
class ChannelRegistryTest {

    private final MovableClock clock = new MovableClock();
    private ChannelRegistry registry;

    @BeforeEach
    void smallRegistry() {
        registry = new ChannelRegistry();
        registry.setClock(clock);
        registry.setMaxTopicsPerChannel(2);
        registry.setMaxChannels(3); // two usable, one spare
        registry.setChannelLifetimeSeconds(60);
    }

    @Test
    void theLastChannelIsKeptSpareAndSettingsStayWithinGenesysLimits() {
        assertThat(registry.usableChannels()).isEqualTo(2);
        registry.setMaxChannels(1);
        assertThat(registry.usableChannels()).as("at least one channel carries topics").isEqualTo(1);
        registry.setMaxChannels(50);
        assertThat(registry.usableChannels()).as("Genesys allows 20 channels per OAuth client").isEqualTo(19);
        registry.setMaxTopicsPerChannel(5_000);
        registry.setMaxChannels(2);
        for (int i = 0; i < 1_000; i++) {
            registry.queue(topic(i));
        }
        assertThatThrownBy(() -> registry.queue(topic(1_000))).as("Genesys allows 1,000 topics per channel")
                .isInstanceOf(ChannelCapacityException.class);
    }

    @Test
    void aTopicBeyondTheRoomOfAllUsableChannelsIsRefusedAndNothingIsQueued() {
        for (int i = 0; i < 4; i++) {
            assertThat(registry.queue(topic(i))).isTrue();
        }
        assertThatThrownBy(() -> registry.queue(topic(4))).isInstanceOf(ChannelCapacityException.class)
                .hasMessageContaining("all 2 channels carry 2 topics");
        // the refused topic was not kept: once a queued one is settled without a call, it fits
        registry.dequeue(List.of(topic(0)));
        assertThat(registry.queue(topic(4))).isTrue();
    }

    @Test
    void aRequestAlreadyOnItsWayIsNotQueuedTwiceAndOneOnAChannelGoesToTheBatchToBeReported() {
        assertThat(registry.queue(topic(0))).isTrue();
        assertThat(registry.queue(topic(0))).as("already queued").isFalse();
        Channel a = subscribed("a", topic(0));
        assertThat(registry.channelOf(topic(0))).isEqualTo("a");
        assertThat(registry.queue(topic(0))).as("on a channel: the batch reports where").isTrue();
        assertThat(registry.topicCount()).isEqualTo(1);
        assertThat(a.topicCount()).isEqualTo(1);
    }

    @Test
    void topicsGoOnTheFirstChannelWithRoomAndAFullOrLostChannelIsSkipped() {
        assertThat(registry.withRoom()).as("no channel yet").isNull();
        Channel a = channel("a");
        assertThat(registry.reserve(a, List.of(topic(0), topic(1), topic(2)))).as("only what fits")
                .containsExactly(topic(0), topic(1));
        registry.settle(a, List.of(topic(0), topic(1)), List.of(topic(0), topic(1)), clock.instant().plusSeconds(60));
        assertThat(registry.withRoom()).as("a is full").isNull();
        assertThat(registry.atChannelLimit()).isFalse();

        Channel b = subscribed("b", topic(2));
        assertThat(registry.withRoom()).isSameAs(b);
        assertThat(registry.atChannelLimit()).as("both usable channels held").isTrue();
        assertThat(registry.markLost("b", "network")).isTrue();
        assertThat(registry.withRoom()).as("no topic goes on a channel without a socket").isNull();
        assertThat(registry.maxTopicsOnAChannel()).isEqualTo(2);
    }

    @Test
    void aFailedCallKeepsTheChannelForTheRetryButAChannelWhoseTopicsWereAllRefusedIsRetired() {
        Channel a = channel("a");
        registry.reserve(a, List.of(topic(0)));
        assertThat(registry.settle(a, List.of(topic(0)), List.of(), null)).as("call failed: kept").isFalse();
        assertThat(registry.channelCount()).isEqualTo(1);

        registry.reserve(a, List.of(topic(0)));
        assertThat(registry.settle(a, List.of(topic(0)), List.of(), clock.instant().plusSeconds(60)))
                .as("every topic refused").isTrue();
        assertThat(registry.channelCount()).isZero();
        assertThat(registry.retired().candidates()).containsExactly("a");
    }

    @Test
    void anUnsubscribedTopicFreesItsRoomAtOnceAndTheEmptiedChannelIsRetiredAfterItsFrame() {
        Channel a = subscribed("a", topic(0), topic(1));
        subscribed("b", topic(2));
        assertThat(registry.unsubscribe(topic(0))).isTrue();
        assertThat(registry.unsubscribe(topic(0))).as("already gone").isFalse();
        assertThat(registry.topicCount()).isEqualTo(2);
        assertThat(registry.withRoom()).isSameAs(a);
        registry.unsubscribe(topic(2));

        Map<String, List<String>> leaving = registry.takeLeaving();
        assertThat(leaving).containsOnlyKeys("a", "b");
        assertThat(leaving.get("a")).containsExactly(topic(0));
        assertThat(registry.takeLeaving()).as("each frame is sent once").isEmpty();

        assertThat(registry.retireEmpty(leaving.keySet())).as("a still carries a topic").containsExactly("b");
        assertThat(registry.channelCount()).isEqualTo(1);
        assertThat(registry.retired().candidates()).containsExactly("b");
    }

    @Test
    void aRetiredChannelIsForgottenOnceItWouldHaveExpired() {
        registry.retired().add("old");
        clock.advance(Duration.ofSeconds(30));
        registry.retired().add("recent");
        assertThat(registry.retired().candidates()).containsExactly("old", "recent");
        clock.advance(Duration.ofSeconds(31));
        assertThat(registry.retired().candidates()).containsExactly("recent");
        registry.retired().forget("recent");
        assertThat(registry.retired().candidates()).isEmpty();
    }

    @Test
    void aLostSocketIsNotedOnceRetriedAfterItsBackOffAndItsGapEndsWhenItIsBack() {
        Channel a = subscribed("a", topic(0));
        Instant lost = clock.instant();
        assertThat(registry.markLost("a", "socket closed with code 1006")).isTrue();
        assertThat(registry.markLost("a", "again")).as("one loss at a time").isFalse();
        assertThat(registry.markLost("unknown", "x")).isFalse();
        assertThat(registry.reconnectsDue()).containsExactly(a);
        assertThat(registry.channels().get(0).loss()).contains("channel a since").contains("1006");

        assertThat(a.reconnectFailed()).isEqualTo(1);
        a.nextReconnectAt(clock.instant().plusMillis(500));
        assertThat(registry.reconnectsDue()).as("backing off").isEmpty();
        clock.advance(Duration.ofMillis(500));
        assertThat(registry.reconnectsDue()).containsExactly(a);

        GapWindow gap = a.reconnected(registry.extendedExpiry(), clock.instant());
        assertThat(gap).isEqualTo(new GapWindow("a", lost, lost.plusMillis(500), "socket closed with code 1006"));
        assertThat(registry.reconnectsDue()).isEmpty();
        assertThat(registry.channels().get(0).loss()).isNull();
        assertThat(registry.withRoom()).isSameAs(a);
    }

    @Test
    void anAnnouncedClosingIsTakenOnce() {
        Channel a = subscribed("a", topic(0));
        registry.markClosing("a");
        assertThat(registry.takeClosing()).containsExactly(a);
        assertThat(registry.takeClosing()).isEmpty();
    }

    @Test
    void aChannelGenesysRemovedIsDroppedWithItsTopicsWhichMayBeQueuedAgain() {
        Channel a = subscribed("a", topic(0), topic(1));
        registry.markLost("a", "no_longer_subscribed");
        assertThat(registry.gone(a)).containsExactly(conversation(0), conversation(1));
        assertThat(registry.channelCount()).isZero();
        assertThat(registry.topicCount()).isZero();
        assertThat(registry.channelOf(topic(0))).isNull();
        assertThat(registry.queue(topic(0))).isTrue();
    }

    @Test
    void aMovedChannelKeepsItsTopicsUnderItsNewIdAndTheOldOneIsRetired() {
        Channel a = subscribed("a", topic(0));
        Instant later = clock.instant().plusSeconds(120);
        String old = registry.moved(a, new Channel("b", "wss://b", later, 2));
        assertThat(old).isEqualTo("a");
        assertThat(registry.channelOf(topic(0))).isEqualTo("b");
        assertThat(registry.channels()).extracting(Channel::id).containsExactly("b");
        assertThat(a.connectUri()).isEqualTo("wss://b");
        assertThat(registry.retired().candidates()).containsExactly("a");
        assertThat(registry.held(a)).isTrue();
    }

    @Test
    void channelsOfAnOlderTokenMoveAndAFailedMoveWaitsItsTurn() {
        Channel a = subscribed("a", topic(0)); // token generation 1
        assertThat(registry.olderThan(1)).isEmpty();
        assertThat(registry.olderThan(2)).containsExactly(a);
        a.moveFailed(clock.instant().plusSeconds(5));
        assertThat(registry.olderThan(2)).as("not before the retry time").isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(registry.olderThan(2)).containsExactly(a);
        registry.markLost("a", "network");
        assertThat(registry.olderThan(2)).as("a lost channel is the reconnect's").isEmpty();
        assertThat(registry.held(a)).isFalse();
    }

    @Test
    void onlyChannelsWithASocketAndTopicsAreRenewedAheadOfExpiry() {
        Channel a = subscribed("a", topic(0)); // expires in 60 s
        Channel empty = channel("empty");
        registry.reserve(empty, List.of());
        assertThat(registry.expiringBefore(clock.instant().plusSeconds(59))).isEmpty();
        assertThat(registry.expiringBefore(clock.instant().plusSeconds(61))).containsExactly(a);
        a.renewed(clock.instant().plusSeconds(120));
        assertThat(registry.expiringBefore(clock.instant().plusSeconds(61))).isEmpty();
    }

    private Channel channel(String id) {
        return new Channel(id, "wss://" + id, clock.instant().plusSeconds(60), 1);
    }

    /** A channel in the registry carrying the topics, as after a subscribe call that went through. */
    private Channel subscribed(String id, String... topics) {
        Channel channel = channel(id);
        List<String> part = registry.reserve(channel, List.of(topics));
        registry.settle(channel, part, part, clock.instant().plusSeconds(60));
        return channel;
    }

    private static String conversation(int i) {
        return String.format("00000000-0000-0000-0000-%012d", i);
    }

    private static String topic(int i) {
        return AcwTopic.of(conversation(i));
    }

    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
