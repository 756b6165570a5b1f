/**
 * A WebSocket client consumer for camel-vertx-websocket that its route owns, with nothing Genesys-specific in it:
 * every frame, and the socket's {@code OPEN}, {@code CLOSE} and {@code ERROR}, reach the route in header
 * {@code CamelVertxWebsocket.event}; a close carries {@code WebsocketCloseCode} and {@code WebsocketCloseReason};
 * the consumer never reconnects by itself, so whoever owns the route decides what replaces a lost socket.
 */
package io.genesysgateway.websocket;
