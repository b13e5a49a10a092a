// CCurl: the system libcurl, plus typed wrappers for what Swift cannot call directly.
#ifndef TRADLYTE_CCURL_SHIM_H
#define TRADLYTE_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt is variadic; Swift cannot call C variadics, so one wrapper per argument type.
static inline CURLcode tradlyte_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tradlyte_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tradlyte_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode tradlyte_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

// Callbacks are function pointers of specific signatures; typed setters keep Swift honest.
typedef size_t (*tradlyte_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*tradlyte_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                              curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode tradlyte_curl_setopt_write(CURL *handle, tradlyte_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode tradlyte_curl_setopt_header(CURL *handle, tradlyte_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
static inline CURLcode tradlyte_curl_setopt_progress(CURL *handle, tradlyte_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

// curl_easy_getinfo is variadic too.
static inline CURLcode tradlyte_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
