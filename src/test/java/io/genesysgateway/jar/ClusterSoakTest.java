package io.genesysgateway.jar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.genesysgateway.simulator.AcwEvent;
import io.genesysgateway.sink.HistorySink.Received;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster soak ({@code bin/soak --cluster [minutes]}, default 10; not in the default run: it needs the built jar and
 * takes minutes): three gateway processes over one PostgreSQL and a real ZooKeeper; conversations are triggered on
 * random live instances (a burst of three a second, batched into few subscription calls so the simulator's 300
 * requests a minute hold) and wrapped up within 10 s of being subscribed (also while a killed leader's socket is
 * gone: those come back through reconciliation), while every 20 s a random instance is killed ({@code kill -9}) and
 * started again. Prints one SOAK-CLUSTER line; every emitted wrap-up must reach history under one Idempotency-Key
 * (the same key sent again after a kill is counted and shown, not failed: history's key check drops it).
 */
@Tag("soak")
class ClusterSoakTest extends ClusterTestSupport {

    private static final long MINUTES = Long.getLong("soak.minutes", 10);
    private static final List<String> NAMES = List.of("a", "b", "c");
    private static final long KILL_EVERY_MILLIS = 20_000;

    private final Map<String, String> bases = new ConcurrentHashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Set<String> up = ConcurrentHashMap.newKeySet(); // what a load balancer would send to
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final AtomicInteger cutByKill = new AtomicInteger(); // in flight to an instance as it was killed
    private final Set<String> emitted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger noSocketAtGenesys = new AtomicInteger();
    private final Map<String, Long> wrapUpAt = new ConcurrentHashMap<>(); // subscribed: when its wrap-up comes
    private Random wrapUpDelays;

    @Test
    void killingARandomInstanceEvery20SecondsLosesAndRepeatsNothing() throws Exception {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        Random random = new Random(seed);
        wrapUpDelays = new Random(seed + 2);
        Map<String, String> env = gateways.environment(postgres, zookeeper.getConnectString());
        for (String name : NAMES) {
            bases.put(name, "http://127.0.0.1:" + ClusterGateways.freePort());
        }
        AtomicBoolean feeding = new AtomicBoolean(true);
        List<Long> takeovers = new ArrayList<>();
        int kills = 0;
        int leaderKills = 0;
        List<String> noTakeover = new ArrayList<>();
        long started = 0;
        try {
            for (String name : NAMES) {
                processes.put(name, gateways.start(env, "soak-" + name, bases.get(name)));
            }
            for (String name : NAMES) {
                gateways.awaitUp(processes.get(name), bases.get(name));
                up.add(name);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> leader().isPresent());
            started = System.nanoTime(); // the minutes asked for are minutes of flow and kills, start-up aside
            System.out.printf("soak-cluster: three instances up, gateway-soak-%s leads; %d min, seed %d%n",
                    leader().orElseThrow(), MINUTES, seed);

            Thread feeder = new Thread(() -> feed(feeding, new Random(seed + 1)), "soak-feeder");
            Thread wrapper = new Thread(() -> wrapUp(feeding), "soak-wrap-up");
            feeder.start();
            wrapper.start();

            long end = started + TimeUnit.MINUTES.toNanos(MINUTES);
            long nextKill = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS);
            while (nextKill < end) {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, nextKill - System.nanoTime()));
                String name = NAMES.get(random.nextInt(NAMES.size()));
                String base = bases.get(name);
                boolean wasLeader = gateways.leads(base);
                up.remove(name);
                Thread.sleep(300); // the load balancer has taken it out; what is in flight to it is answered or cut
                processes.get(name).destroyForcibly(); // SIGKILL: its ZooKeeper session ends by time-out only
                long killed = System.nanoTime();
                assertThat(processes.get(name).waitFor(30, TimeUnit.SECONDS)).isTrue();
                kills++;
                Process again = gateways.startAgain(env, "soak-" + name, base);
                processes.put(name, again);
                String takeover = "";
                if (wasLeader) {
                    leaderKills++;
                    long deadline = killed + TimeUnit.SECONDS.toNanos(60);
                    while (leader().isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    if (leader().isPresent()) {
                        long took = (System.nanoTime() - killed) / 1_000_000;
                        takeovers.add(took);
                        takeover = ", gateway-soak-" + leader().get() + " leads after " + took + " ms";
                    } else {
                        noTakeover.add("kill " + kills + " of gateway-soak-" + name);
                        takeover = ", NO leader within 60 s";
                    }
                }
                RunningGateway.awaitUp(again, base, Duration.ofSeconds(90));
                up.add(name);
                System.out.printf("soak-cluster: kill %d at %ds: gateway-soak-%s%s%s, up again %d ms after the kill;"
                                + " triggers accepted %d, wrap-ups emitted %d%n", kills,
                        TimeUnit.NANOSECONDS.toSeconds(killed - started), name, wasLeader ? " (leader)" : "", takeover,
                        (System.nanoTime() - killed) / 1_000_000, accepted.size(), emitted.size());
                nextKill += TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS);
                nextKill = Math.max(nextKill, System.nanoTime() + 1_000_000_000L); // never two instances down at once
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
            feeding.set(false);
            feeder.join(30_000);
            wrapper.join(30_000);

            // the conversations not yet wrapped up wrap up now, once subscribed
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (emitted.size() < accepted.size() && System.nanoTime() < deadline) {
                emitSubscribed();
                Thread.sleep(200);
            }
            List<String> neverSubscribed = accepted.stream().filter(id -> !emitted.contains(id)).toList();
            // history catches up: live deliveries, leases of records a dead instance had in flight, reconciliation
            long since = System.nanoTime();
            deadline = since + TimeUnit.SECONDS.toNanos(180);
            while (gateways.recorded(emitted) < emitted.size() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            long caughtUp = (System.nanoTime() - since) / 1_000_000;
            // a re-send, if any, comes once its lease runs out (HISTORY_LEASE_SECONDS)
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(env.get("HISTORY_LEASE_SECONDS")) + 2));

            long delivered = gateways.recorded(emitted);
            // a duplicate is a wrap-up history would record twice: two Idempotency-Keys for one conversation. The
            // same key again is a re-send (an instance killed after history took its record, before its delivered
            // mark was committed: another sends it when the lease runs out), which history's key check drops
            Map<String, List<Received>> byKey = sink.received().stream()
                    .filter(r -> emitted.contains(r.body().getString("conversationId")))
                    .collect(Collectors.groupingBy(Received::idempotencyKey));
            long duplicated = byKey.values().stream().collect(Collectors.groupingBy(
                    rs -> rs.get(0).body().getString("conversationId"), Collectors.counting()))
                    .values().stream().mapToLong(keys -> keys - 1).sum();
            long resent = gateways.duplicated(emitted);
            byKey.forEach((key, rs) -> {
                if (rs.size() > 1) {
                    System.out.printf("soak-cluster: Idempotency-Key %s received %d times, %d ms apart%n", key, rs.size(),
                            rs.get(rs.size() - 1).receivedAtMillis() - rs.get(0).receivedAtMillis());
                }
            });
            List<Long> sorted = takeovers.stream().sorted().toList();
            String takeoverFigures = sorted.isEmpty() ? "n/a (no leader killed)"
                    : "median " + (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2 + " ms, max "
                    + sorted.get(sorted.size() - 1) + " ms";
            System.out.printf("%nSOAK-CLUSTER %d min, 3 instances: emitted %d, delivered %d, lost %d, duplicated %d"
                            + " (same Idempotency-Key re-sent %d);"
                            + " triggers accepted %d, refused %d (cut by a kill %d), never subscribed %d;"
                            + " Genesys had no socket for %d; kills %d, of the leader %d; takeover after a leader kill %s;"
                            + " history caught up %d ms after the last wrap-up%n",
                    MINUTES, emitted.size(), delivered,
                    emitted.size() - delivered, duplicated, resent, accepted.size(), refused.size(), cutByKill.get(),
                    neverSubscribed.size(), noSocketAtGenesys.get(), kills, leaderKills, takeoverFigures, caughtUp);
            assertThat(duplicated).as("wrap-ups history got under two Idempotency-Keys").isZero();
            assertThat(delivered).as("every emitted wrap-up in history (lost: %d)", emitted.size() - delivered)
                    .isEqualTo(emitted.size());
            assertThat(neverSubscribed).as("every accepted trigger is subscribed").isEmpty();
            assertThat(noTakeover).as("a standby leads after every leader kill").isEmpty();
        } finally {
            feeding.set(false);
            for (Process p : processes.values()) {
                p.toHandle().destroy();
            }
            for (Process p : processes.values()) {
                p.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Every second, three triggers for new conversations, each to a random live instance. */
    private void feed(AtomicBoolean feeding, Random random) {
        while (feeding.get()) {
            for (int i = 0; i < 3; i++) {
                List<String> live = new ArrayList<>(up);
                if (live.isEmpty()) {
                    break;
                }
                String name = live.get(random.nextInt(live.size()));
                String id = UUID.randomUUID().toString();
                String why = gateways.refusal(bases.get(name), id);
                if (why == null) {
                    accepted.add(id);
                } else {
                    refusedBy(name, why);
                }
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void refusedBy(String name, String answer) {
        if (!up.contains(name)) {
            cutByKill.incrementAndGet(); // taken out and killed while this trigger was in flight: not a refusal
            return;
        }
        refused.add(name + ": " + answer);
        System.out.printf("soak-cluster: trigger refused by live gateway-soak-%s: %s%n", name, answer);
    }

    /**
     * The wrap-up of each conversation comes up to 10 s after it is subscribed (in life: minutes after the trigger),
     * whether or not the channel's socket is open then: while a killed leader's channels have none, Genesys drops
     * what it publishes, and only the new leader's reconciliation brings those wrap-ups back.
     */
    private void wrapUp(AtomicBoolean feeding) {
        while (feeding.get()) {
            emitSubscribed();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void emitSubscribed() {
        long now = System.currentTimeMillis();
        for (String id : accepted) {
            if (emitted.contains(id)) {
                continue;
            }
            Long due = wrapUpAt.get(id);
            if (due == null) {
                if (simulator.channelWithTopic("v2.detail.events.conversation." + id + ".acw").isPresent()) {
                    wrapUpAt.put(id, now + wrapUpDelays.nextInt(10_000));
                }
            } else if (now >= due) {
                if (simulator.emitAcw(AcwEvent.sample(id)) == 0) {
                    noSocketAtGenesys.incrementAndGet(); // lost at the source; reconciliation recovers it
                }
                emitted.add(id);
            }
        }
    }

    /** The instance whose /status says it leads, among the live ones. */
    private Optional<String> leader() {
        return up.stream().filter(name -> gateways.leads(bases.get(name))).findFirst();
    }
}
