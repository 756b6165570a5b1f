package io.genesysgateway.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.genesysgateway.conversation.ConversationState.Event;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What an answer of analytics decides for a conversation, without Camel or a store. */
class ReconcileScheduleTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private final ReconcileSchedule schedule = new ReconcileSchedule();

    ReconcileScheduleTest() {
        schedule.setAfterGapSeconds("3, 60, 600");
        schedule.setRecheckSeconds(300);
        schedule.setExpireAfterSeconds(48 * 3600);
    }

    @Test
    void anEndedConversationIsClosedWithWhyItHasNoRecord() {
        ReconcileSchedule.Verdict skipped = schedule.decide(findings(true, 0, 1), NOW.minusSeconds(60), 2, NOW);
        assertThat(skipped.closes()).isTrue();
        assertThat(skipped.closeWith()).isEqualTo(Event.ENDED);
        assertThat(skipped.problem()).isEqualTo("wrap-up skipped by the agent");
        assertThat(schedule.decide(new AnalyticsFindings("c", true, true, 0, 0, 0, List.of()), NOW, 0, NOW).problem())
                .isEqualTo("ended without reaching an agent");
    }

    @Test
    void aConversationTrackedLongerThanTheExpiryIsClosedEvenWithGapPassesLeft() {
        ReconcileSchedule.Verdict verdict = schedule.decide(findings(false, 1, 0), NOW.minus(Duration.ofHours(49)), 2, NOW);
        assertThat(verdict.closeWith()).isEqualTo(Event.TIMED_OUT);
        assertThat(verdict.problem()).isEqualTo("tracking stopped: conversation still active after 2880 min");
    }

    @Test
    void afterAGapEachPassWaitsForTheNextAndThenTheRecheck() {
        Instant tracked = NOW.minusSeconds(10);
        assertThat(schedule.afterGap(NOW)).isEqualTo(NOW.plusSeconds(3));
        assertThat(schedule.gapPassesAfterFirst()).isEqualTo(2);
        ReconcileSchedule.Verdict second = schedule.decide(findings(false, 1, 0), tracked, 2, NOW);
        assertThat(second.closes()).isFalse();
        assertThat(second.askAt()).isEqualTo(NOW.plusSeconds(57));
        assertThat(second.reason()).isEqualTo("after a gap, pass 2");
        assertThat(second.gapPassesLeft()).isEqualTo(1);
        ReconcileSchedule.Verdict third = schedule.decide(findings(false, 1, 0), tracked, 1, NOW);
        assertThat(third.askAt()).isEqualTo(NOW.plusSeconds(540));
        assertThat(third.reason()).isEqualTo("after a gap, pass 3");
        ReconcileSchedule.Verdict later = schedule.decide(findings(true, 1, 0), tracked, 0, NOW);
        assertThat(later.askAt()).isEqualTo(NOW.plusSeconds(300));
        assertThat(later.reason()).isEqualTo("1 agent wrap-up(s) not yet in analytics");
        assertThat(later.gapPassesLeft()).isZero();
    }

    @Test
    void gapTimesAreSortedAndAtLeastOneIsNeeded() {
        schedule.setAfterGapSeconds("60,3");
        assertThat(schedule.afterGap(NOW)).isEqualTo(NOW.plusSeconds(3));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> schedule.setAfterGapSeconds(" , "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reconcile.after-gap-seconds");
    }

    private static AnalyticsFindings findings(boolean ended, int awaiting, int skipped) {
        return new AnalyticsFindings("c", true, ended, 1, awaiting, skipped, List.of());
    }
}
