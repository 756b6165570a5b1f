package io.genesysgateway.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.genesysgateway.cluster.GenesysClients.Load;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which OAuth client a new conversation goes to, without a store or a cluster. */
class GenesysClientsTest {

    private static Load load(String client, int capacity, long open) {
        return new Load(client, "gateway-" + client, capacity, open, Instant.now());
    }

    @Test
    void theClientWithTheMostRoomWinsCountingWhatWasGivenSinceTheFiguresWereRead() {
        List<Load> loads = List.of(load("one", 10, 4), load("two", 10, 2));
        assertThat(GenesysClients.mostRoom(loads, Map.of())).isEqualTo("two");
        assertThat(GenesysClients.mostRoom(loads, Map.of("two", 3))).as("two's room 5 against one's 6").isEqualTo("one");
        assertThat(GenesysClients.mostRoom(loads, Map.of("one", 2, "two", 4))).as("a tie: the first").isEqualTo("one");
    }

    @Test
    void noneWhenEveryClientIsFullAndAnOverfullClientCountsAsFull() {
        assertThat(GenesysClients.mostRoom(List.of(load("one", 3, 3), load("two", 3, 5)), Map.of())).isNull();
        assertThat(GenesysClients.mostRoom(List.of(load("one", 3, 2)), Map.of("one", 1))).isNull();
        assertThat(GenesysClients.mostRoom(List.of(), Map.of())).isNull();
    }
}
