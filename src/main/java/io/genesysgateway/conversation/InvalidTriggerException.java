package io.genesysgateway.conversation;

/** A trigger the gateway refuses; {@link #status()} is the HTTP answer (400, or 413 for an oversized body). */
public class InvalidTriggerException extends RuntimeException {

    private final int status;

    public InvalidTriggerException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
