package io.genesysgateway.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SQLite has no time type: the store keeps timestamps as text, and "what is due" is a text comparison. Times that
 * {@link Instant#toString()} would write with different widths (a whole second, a half second) must still compare
 * and sort as time does, or records become due too early, too late, or never.
 */
class SqliteTimestampsTest {

    private final Database database = new Database();

    @BeforeEach
    void open() throws Exception {
        database.setDataDir(Files.createTempDirectory("sqlite-times-").toString());
        database.start();
        database.write(sql -> sql.update("create table due_test (id varchar(10) primary key,"
                + " at timestamp with time zone not null)"));
    }

    @AfterEach
    void close() {
        database.stop();
    }

    @Test
    void dueRowsAreTakenInTimeOrderAndOnlyOnce() {
        Instant now = Instant.parse("2026-11-25T12:00:01Z");
        insert("whole-second-before", now.minusSeconds(1));    // ...:00Z
        insert("half-second-before", now.minusMillis(500));    // ...:00.500Z, longer text
        insert("exactly-now", now);
        insert("a-microsecond-later", now.plusNanos(1_000));
        insert("tomorrow", now.plus(Duration.ofDays(1)));

        List<String> due = claim(now);

        assertThat(due).containsExactly("whole-second-before", "half-second-before", "exactly-now");
        assertThat(claim(now)).as("leased until a minute later").isEmpty();
    }

    @Test
    void aTimestampReadsBackAsWritten() {
        Instant at = Instant.parse("2026-11-25T12:00:00.123456Z");
        insert("x", at);
        Instant read = database.read(sql -> sql.first("select at from due_test where id = 'x'", row -> row.instant("at")));
        assertThat(read).isEqualTo(at);
    }

    @Test
    void theTextIsOneFixedWidthForAnyTime() {
        java.time.format.DateTimeFormatter reference = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(42);
        List<Instant> times = new java.util.ArrayList<>(List.of(Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-12-31T23:59:59.999999999Z"), Instant.parse("2000-02-29T09:05:07.000001Z")));
        for (int i = 0; i < 10_000; i++) {
            times.add(Instant.ofEpochSecond(946_684_800L + random.nextLong(3_000_000_000L), random.nextInt(1_000_000_000)));
        }
        for (Instant at : times) {
            assertThat(Timestamps.sqliteText(at)).as(at.toString()).isEqualTo(reference.format(at)).hasSize(27);
        }
    }

    private List<String> claim(Instant now) {
        return database.write(sql -> sql.claim("select id from due_test where at <= ? order by at",
                "update due_test set at = ? where id = ?", now, now.plusSeconds(60), 10));
    }

    private void insert(String id, Instant at) {
        database.write(sql -> sql.update("insert into due_test (id, at) values (?, ?)", id, at));
    }
}
