package io.genesysgateway.metrics;

import io.genesysgateway.history.DeliveryHealth;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Runs before each redelivery of a history record (route history-delivery): counts it as retried and tells
 * {@link DeliveryHealth} the attempt before it failed.
 */
public class HistoryRetryCounter implements Processor {

    private GatewayMetrics metrics;
    private DeliveryHealth deliveryHealth;

    @Override
    public void process(Exchange exchange) {
        metrics.delivery("retried");
        Exception cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        deliveryHealth.failed(cause == null ? "unknown" : cause.getMessage());
    }

    public void setMetrics(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    public void setDeliveryHealth(DeliveryHealth deliveryHealth) {
        this.deliveryHealth = deliveryHealth;
    }
}
