#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace innerear
{

/// A small JSON value (RFC 8259: null, booleans, numbers, strings, arrays, objects) with a strict
/// parser and a writer. Written here for model manifests: core and inference must build with only
/// a C++17 compiler and LibTorch, so nlohmann-json (used by the CLI) is not available to them.
class Json
{
public:
    enum class Type
    {
        Null,
        Boolean,
        Number,
        String,
        Array,
        Object
    };

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool value);        // NOLINT(google-explicit-constructor)
    Json(double value);      // NOLINT
    Json(int value);         // NOLINT
    Json(const char* value); // NOLINT
    Json(std::string value); // NOLINT
    static Json array();
    static Json object();

    /// Throws std::runtime_error("JSON: <what> at offset N") on malformed text.
    static Json parse(const std::string& text);
    std::string dump(int indent = 2) const;

    Type type() const { return type_; }
    bool isNull() const { return type_ == Type::Null; }
    bool isObject() const { return type_ == Type::Object; }

    // Typed access; throws std::runtime_error naming the expected type on a mismatch.
    bool asBool() const;
    double asNumber() const;
    const std::string& asString() const;
    const std::vector<Json>& items() const;
    const std::map<std::string, Json>& members() const;

    bool contains(const std::string& key) const;
    /// Member of an object; throws std::runtime_error naming the key when missing.
    const Json& at(const std::string& key) const;
    Json& operator[](const std::string& key); ///< creates the member (object only)
    void push_back(Json value);               ///< array only

private:
    void write(std::string& out, int indent, int depth) const;

    Type type_ = Type::Null;
    bool boolean_ = false;
    double number_ = 0.0;
    std::string string_;
    std::vector<Json> items_;
    std::map<std::string, Json> members_;
};

} // namespace innerear
