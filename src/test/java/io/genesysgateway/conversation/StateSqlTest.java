package io.genesysgateway.conversation;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.Map;

import io.genesysgateway.conversation.ConversationState.Event;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL written from the rules moves rows as the rules do: one row per state, every event, on SQLite. */
class StateSqlTest {

    @Test
    void theStatementOfEachEventMovesEveryStateAsTheRulesDo() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = c.createStatement()) {
            s.execute("create table t (id varchar(20) primary key, state varchar(24) not null, problem varchar(100))");
            for (Event event : Event.values()) {
                s.execute("delete from t");
                for (ConversationState state : ConversationState.values()) {
                    s.execute("insert into t (id, state) values ('" + state.name() + "', '" + state.label() + "')");
                }
                s.executeUpdate("update t set state = " + StateSql.after(event));
                Map<ConversationState, String> after = new EnumMap<>(ConversationState.class);
                try (ResultSet rs = s.executeQuery("select id, state from t")) {
                    while (rs.next()) {
                        after.put(ConversationState.valueOf(rs.getString(1)), rs.getString(2));
                    }
                }
                for (ConversationState state : ConversationState.values()) {
                    assertThat(after.get(state)).as("%s on %s", state, event).isEqualTo(state.next(event).label());
                }
            }
        }
    }

    @Test
    void aGuardNamesExactlyTheStatesAnEventMovesToATarget() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = c.createStatement()) {
            s.execute("create table t (state varchar(24) not null)");
            for (ConversationState state : ConversationState.values()) {
                s.execute("insert into t (state) values ('" + state.label() + "')");
            }
            try (PreparedStatement ps = c.prepareStatement("select count(*) from t where state in "
                    + StateSql.movedTo(Event.ENDED, ConversationState.NO_WRAPUP)); ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(ConversationState.BEFORE_WRAPUP.size());
            }
        }
        assertThat(StateSql.after(Event.SUBSCRIBED))
                .isEqualTo("case when state in ('pending','failed') then 'subscribed' else state end");
        assertThat(StateSql.after(Event.WRAPUP_STORED)).as("every state moves there").isEqualTo("'acw_received'");
        assertThat(StateSql.movedBy(Event.TRIGGERED_AGAIN)).isEqualTo("('failed')");
    }
}
