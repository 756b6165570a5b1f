package io.genesysgateway.genesys;

/** Genesys answered 5xx: the call policy tries again, the circuit breaker counts it. */
public class GenesysUnavailable extends GenesysApiException {

    public GenesysUnavailable(GenesysApiException answer) {
        super(answer);
    }
}
