package dev.executor.ledger.rest;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;

import dev.executor.contracts.ErrorReasons;
import dev.executor.ledger.service.LedgerException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place where this service turns failures into {@code application/problem+json} (RFC 9457).
 * Callers get a status, a reason they can act on and no internals; unexpected failures are logged
 * with an id the caller can quote.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    static final String PROBLEM_JSON = "application/problem+json";

    /** RFC 9457 problem details plus the machine-readable {@code reason}. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Problem(String type, String title, int status, String detail, String reason,
            List<Map<String, String>> violations) {
    }

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e) {
        return challenge("A valid bearer token is required.");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return challenge("The bearer token is missing, expired or not issued by this realm.");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(403, "Forbidden", "Your token does not carry a role that may do this.", ErrorReasons.PERMISSION_DENIED, List.of());
    }

    @ServerExceptionMapper
    public Response refused(LedgerException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> problem(404, "Not found", e.getMessage(), e.reason(), List.of());
            case FORBIDDEN -> problem(403, "Forbidden", e.getMessage(), e.reason(), List.of());
            case CONFLICT -> problem(409, "Conflict", e.getMessage(), e.reason(), List.of());
            case INVALID -> problem(400, "Invalid request", e.getMessage(), e.reason(), List.of());
        };
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .map(v -> Map.of("path", v.getPropertyPath().toString(), "message", v.getMessage()))
                .toList();
        return problem(400, "Invalid request", "The request has " + violations.size() + " invalid field(s).",
                ErrorReasons.INVALID_ARGUMENTS, violations);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return problem(400, "Malformed JSON", "The request body is not valid JSON for this endpoint: " + e.getOriginalMessage(),
                ErrorReasons.INVALID_ARGUMENTS, List.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "Request refused";
        return problem(status, title, e.getMessage(), reasonFor(status), List.of());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "Unhandled failure, incident %s", incident);
        return problem(500, "Internal error", "Something failed on our side; quote incident " + incident + ".",
                ErrorReasons.INTERNAL, List.of());
    }

    private static Response challenge(String detail) {
        return Response.fromResponse(problem(401, "Unauthorized", detail, ErrorReasons.UNAUTHENTICATED, List.of()))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"executor\"")
                .build();
    }

    static Response problem(int status, String title, String detail, String reason, List<Map<String, String>> violations) {
        var body = new Problem("https://executor.dev/problems/" + reason.toLowerCase().replace('_', '-'), title, status,
                detail, reason, violations);
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }

    private static String reasonFor(int status) {
        return switch (status) {
            case 400, 422 -> ErrorReasons.INVALID_ARGUMENTS;
            case 401 -> ErrorReasons.UNAUTHENTICATED;
            case 403 -> ErrorReasons.PERMISSION_DENIED;
            case 404 -> "NOT_FOUND";
            case 409 -> ErrorReasons.CONFLICT;
            case 429 -> ErrorReasons.RATE_LIMITED;
            default -> "REQUEST_REFUSED";
        };
    }
}
