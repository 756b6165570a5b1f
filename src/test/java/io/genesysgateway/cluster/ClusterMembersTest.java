package io.genesysgateway.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What /status shows of the election without asking ZooKeeper: the instances and the leader of the last answer that
 * worked, when, and why there is none newer.
 */
class ClusterMembersTest {

    /** An election whose answers the test sets: the members, the leader, or a failure. */
    static final class Election extends AbstractCamelClusterView {
        List<String> members = List.of();
        String leader;
        RuntimeException failure;

        Election() {
            super(null, "test"); // no service: nothing here asks one
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return member("gateway-a");
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            answer();
            return Optional.ofNullable(leader).map(Election::member);
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            answer();
            return members.stream().map(Election::member).toList();
        }

        private void answer() {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        protected void doStart() {
        }

        @Override
        protected void doStop() {
        }

        static CamelClusterMember member(String id) {
            return new CamelClusterMember() {
                public boolean isLeader() {
                    return false;
                }

                public boolean isLocal() {
                    return false;
                }

                public String getId() {
                    return id;
                }
            };
        }
    }

    @Test
    void showsTheLastAnswerThatWorkedAndWhyThereIsNoNewerOne() {
        ClusterMembers members = new ClusterMembers();
        Election election = new Election();
        assertThat(describe(members)).containsEntry("instances", List.of()).containsEntry("instancesProblem", "not asked yet")
                .containsEntry("lastElectionAt", "");
        assertThat(members.leader()).as("unknown before the first answer").isNull();

        election.members = List.of("gateway-c", "gateway-a", "gateway-b");
        election.leader = "gateway-b";
        assertThat(members.refresh(election)).isEqualTo(3);
        Map<String, Object> seen = describe(members);
        assertThat(seen).containsEntry("instances", List.of("gateway-a", "gateway-b", "gateway-c"))
                .doesNotContainKey("instancesProblem");
        assertThat((String) seen.get("lastElectionAt")).isNotEmpty();
        assertThat(members.leader()).isEqualTo("gateway-b");

        // cut off: the view names nobody; then asking fails. The last list and leader stay, with why.
        election.members = List.of();
        assertThat(members.refresh(election)).isEqualTo(3);
        assertThat(describe(members)).containsEntry("instancesProblem", "ZooKeeper connection lost")
                .containsEntry("instancesSeenAt", seen.get("instancesSeenAt"));
        election.failure = new IllegalStateException("connection loss");
        members.refresh(election);
        assertThat(describe(members)).containsEntry("instancesProblem", "ZooKeeper could not be asked: connection loss")
                .containsEntry("instances", List.of("gateway-a", "gateway-b", "gateway-c"));
        assertThat(members.leader()).isEqualTo("gateway-b");
    }

    @Test
    void aNewLeaderIsSeenWithTheTimeItWasFirstSeen() throws Exception {
        ClusterMembers members = new ClusterMembers();
        Election election = new Election();
        election.members = List.of("gateway-a", "gateway-b");
        election.leader = "gateway-a";
        members.refresh(election);
        String first = (String) describe(members).get("lastElectionAt");
        Thread.sleep(5);
        members.refresh(election);
        assertThat(describe(members)).as("the same leader: no new election").containsEntry("lastElectionAt", first);

        election.members = List.of("gateway-b");
        election.leader = "gateway-b";
        Thread.sleep(5);
        members.refresh(election);
        assertThat(members.leader()).isEqualTo("gateway-b");
        assertThat((String) describe(members).get("lastElectionAt")).isGreaterThan(first);
        assertThat(members.count()).isEqualTo(1);
    }

    private static Map<String, Object> describe(ClusterMembers members) {
        Map<String, Object> out = new LinkedHashMap<>();
        members.describeInto(out);
        return out;
    }
}
