package io.nsnet.agent.api;

/** The body of every error response: {@code {"message": "..."}}. */
public record ApiError(String message) {
}
