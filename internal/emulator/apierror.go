package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// APIError is an error answer of the API, with the documented body.
type APIError struct {
	HTTPStatus   int    `json:"-"`
	Status       string `json:"status"`
	ErrorCode    string `json:"errorCode"`
	ErrorDesc    string `json:"errorDesc"`
	ErrorMessage string `json:"errorMessage"`
}

// Error gives the status, code, field and message on one line.
func (e *APIError) Error() string {
	return fmt.Sprintf("%d %s (%s): %s", e.HTTPStatus, e.ErrorCode, e.ErrorDesc, e.ErrorMessage)
}

// statusName gives the Spring HttpStatus name of a code.
func statusName(code int) string {
	switch code {
	case 400:
		return "BAD_REQUEST"
	case 401:
		return "UNAUTHORIZED"
	case 403:
		return "FORBIDDEN"
	case 404:
		return "NOT_FOUND"
	case 405:
		return "METHOD_NOT_ALLOWED"
	case 409:
		return "CONFLICT"
	case 415:
		return "UNSUPPORTED_MEDIA_TYPE"
	case 422:
		return "UNPROCESSABLE_ENTITY"
	case 429:
		return "TOO_MANY_REQUESTS"
	case 500:
		return "INTERNAL_SERVER_ERROR"
	case 502:
		return "BAD_GATEWAY"
	case 503:
		return "SERVICE_UNAVAILABLE"
	case 504:
		return "GATEWAY_TIMEOUT"
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(code), " ", "_"))
}

func apiErr(code int, errorCode, desc, msg string) *APIError {
	return &APIError{HTTPStatus: code, Status: statusName(code), ErrorCode: errorCode, ErrorDesc: desc, ErrorMessage: msg}
}

// fieldErr is the documented 400 for a field that breaks a rule.
func fieldErr(field, rule string) *APIError {
	return apiErr(http.StatusBadRequest, "INVALID_FIELD_VALUE", field, fmt.Sprintf("Error on field '%s': %s", field, rule))
}

func notFound(what string, id any) *APIError {
	return apiErr(http.StatusNotFound, "NOT_FOUND", "id", fmt.Sprintf("%s %v not found", what, id))
}
