#include "innerear/core/Json.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <locale>
#include <sstream>
#include <stdexcept>

namespace innerear
{

Json::Json(bool value)
  : type_(Type::Boolean)
  , boolean_(value)
{
}
Json::Json(double value)
  : type_(Type::Number)
  , number_(value)
{
}
Json::Json(int value)
  : type_(Type::Number)
  , number_(value)
{
}
Json::Json(const char* value)
  : type_(Type::String)
  , string_(value)
{
}
Json::Json(std::string value)
  : type_(Type::String)
  , string_(std::move(value))
{
}

Json Json::array()
{
    Json j;
    j.type_ = Type::Array;
    return j;
}

Json Json::object()
{
    Json j;
    j.type_ = Type::Object;
    return j;
}

namespace
{

class Parser
{
public:
    explicit Parser(const std::string& text)
      : text_(text)
    {
    }

    Json document()
    {
        Json value = parseValue();
        skipSpace();
        if (at_ != text_.size())
            fail("unexpected text after the value");
        return value;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(at_));
    }
    void skipSpace()
    {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r'))
            ++at_;
    }
    bool consume(const char* word)
    {
        const std::size_t n = std::char_traits<char>::length(word);
        if (text_.compare(at_, n, word) == 0)
        {
            at_ += n;
            return true;
        }
        return false;
    }

    Json parseValue()
    {
        if (++depth_ > 200)
            fail("nesting too deep");
        skipSpace();
        if (at_ >= text_.size())
            fail("unexpected end");
        Json result;
        const char c = text_[at_];
        if (c == '{')
            result = parseObject();
        else if (c == '[')
            result = parseArray();
        else if (c == '"')
            result = Json(parseString());
        else if (consume("true"))
            result = Json(true);
        else if (consume("false"))
            result = Json(false);
        else if (consume("null"))
            result = Json();
        else
            result = Json(parseNumber());
        --depth_;
        return result;
    }

    Json parseObject()
    {
        Json object = Json::object();
        ++at_;
        skipSpace();
        if (at_ < text_.size() && text_[at_] == '}')
        {
            ++at_;
            return object;
        }
        while (true)
        {
            skipSpace();
            if (at_ >= text_.size() || text_[at_] != '"')
                fail("expected a member name");
            const std::string key = parseString();
            skipSpace();
            if (at_ >= text_.size() || text_[at_] != ':')
                fail("expected ':'");
            ++at_;
            object[key] = parseValue();
            skipSpace();
            if (at_ < text_.size() && text_[at_] == ',')
            {
                ++at_;
                continue;
            }
            if (at_ < text_.size() && text_[at_] == '}')
            {
                ++at_;
                return object;
            }
            fail("expected ',' or '}'");
        }
    }

    Json parseArray()
    {
        Json array = Json::array();
        ++at_;
        skipSpace();
        if (at_ < text_.size() && text_[at_] == ']')
        {
            ++at_;
            return array;
        }
        while (true)
        {
            array.push_back(parseValue());
            skipSpace();
            if (at_ < text_.size() && text_[at_] == ',')
            {
                ++at_;
                continue;
            }
            if (at_ < text_.size() && text_[at_] == ']')
            {
                ++at_;
                return array;
            }
            fail("expected ',' or ']'");
        }
    }

    std::string parseString()
    {
        ++at_; // opening quote
        std::string out;
        while (at_ < text_.size() && text_[at_] != '"')
        {
            char c = text_[at_++];
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character in a string");
            if (c != '\\')
            {
                out += c;
                continue;
            }
            if (at_ >= text_.size())
                fail("unfinished escape");
            c = text_[at_++];
            switch (c)
            {
                case '"':
                case '\\':
                case '/':
                    out += c;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u':
                {
                    if (at_ + 4 > text_.size())
                        fail("short \\u escape");
                    const unsigned code = unsigned(std::stoul(text_.substr(at_, 4), nullptr, 16));
                    at_ += 4;
                    // UTF-8 for the basic multilingual plane (manifests are ASCII in practice).
                    if (code < 0x80)
                        out += char(code);
                    else if (code < 0x800)
                        out += char(0xc0 | (code >> 6)), out += char(0x80 | (code & 0x3f));
                    else
                        out += char(0xe0 | (code >> 12)), out += char(0x80 | ((code >> 6) & 0x3f)),
                          out += char(0x80 | (code & 0x3f));
                    break;
                }
                default:
                    fail("unknown escape");
            }
        }
        if (at_ >= text_.size())
            fail("unterminated string");
        ++at_;
        return out;
    }

    double parseNumber()
    {
        const std::size_t start = at_;
        if (at_ < text_.size() && (text_[at_] == '-' || text_[at_] == '+'))
            ++at_;
        while (at_ < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[at_])) || text_[at_] == '.' ||
                text_[at_] == 'e' || text_[at_] == 'E' || text_[at_] == '-' || text_[at_] == '+'))
            ++at_;
        if (start == at_)
            fail("unexpected character");
        std::istringstream in(text_.substr(start, at_ - start));
        in.imbue(std::locale::classic());
        double value = 0.0;
        if (!(in >> value) || !in.eof())
            fail("malformed number");
        return value;
    }

    const std::string& text_;
    std::size_t at_ = 0;
    int depth_ = 0;
};

void writeString(std::string& out, const std::string& s)
{
    out += '"';
    for (char c : s)
    {
        switch (c)
        {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04x", unsigned(c));
                    out += buffer;
                }
                else
                    out += c;
        }
    }
    out += '"';
}

} // namespace

Json Json::parse(const std::string& text)
{
    return Parser(text).document();
}

std::string Json::dump(int indent) const
{
    std::string out;
    write(out, indent, 0);
    return out;
}

void Json::write(std::string& out, int indent, int depth) const
{
    const std::string pad =
      indent > 0 ? "\n" + std::string(std::size_t(indent * (depth + 1)), ' ') : "";
    const std::string closePad =
      indent > 0 ? "\n" + std::string(std::size_t(indent * depth), ' ') : "";
    switch (type_)
    {
        case Type::Null:
            out += "null";
            return;
        case Type::Boolean:
            out += boolean_ ? "true" : "false";
            return;
        case Type::Number:
        {
            if (!std::isfinite(number_))
            {
                out += "null"; // JSON has no NaN or infinity
                return;
            }
            std::ostringstream s;
            s.imbue(std::locale::classic());
            s.precision(17);
            s << number_;
            out += s.str();
            return;
        }
        case Type::String:
            writeString(out, string_);
            return;
        case Type::Array:
            out += '[';
            for (std::size_t i = 0; i < items_.size(); ++i)
            {
                out += (i ? "," : "") + pad;
                items_[i].write(out, indent, depth + 1);
            }
            out += (items_.empty() ? "" : closePad) + "]";
            return;
        case Type::Object:
        {
            out += '{';
            bool first = true;
            for (const auto& [key, value] : members_)
            {
                out += (first ? "" : ",") + pad;
                first = false;
                writeString(out, key);
                out += indent > 0 ? ": " : ":";
                value.write(out, indent, depth + 1);
            }
            out += (members_.empty() ? "" : closePad) + "}";
            return;
        }
    }
}

namespace
{
const char* typeName(Json::Type type)
{
    switch (type)
    {
        case Json::Type::Null:
            return "null";
        case Json::Type::Boolean:
            return "a boolean";
        case Json::Type::Number:
            return "a number";
        case Json::Type::String:
            return "a string";
        case Json::Type::Array:
            return "an array";
        case Json::Type::Object:
            return "an object";
    }
    return "?";
}
[[noreturn]] void wrongType(Json::Type actual, const char* expected)
{
    throw std::runtime_error(std::string("JSON: expected ") + expected + ", found " +
                             typeName(actual));
}
} // namespace

bool Json::asBool() const
{
    if (type_ != Type::Boolean)
        wrongType(type_, "a boolean");
    return boolean_;
}

double Json::asNumber() const
{
    if (type_ != Type::Number)
        wrongType(type_, "a number");
    return number_;
}

const std::string& Json::asString() const
{
    if (type_ != Type::String)
        wrongType(type_, "a string");
    return string_;
}

const std::vector<Json>& Json::items() const
{
    if (type_ != Type::Array)
        wrongType(type_, "an array");
    return items_;
}

const std::map<std::string, Json>& Json::members() const
{
    if (type_ != Type::Object)
        wrongType(type_, "an object");
    return members_;
}

bool Json::contains(const std::string& key) const
{
    return type_ == Type::Object && members_.count(key) > 0;
}

const Json& Json::at(const std::string& key) const
{
    const auto& m = members();
    const auto found = m.find(key);
    if (found == m.end())
        throw std::runtime_error("JSON: missing \"" + key + "\"");
    return found->second;
}

Json& Json::operator[](const std::string& key)
{
    if (type_ == Type::Null)
        type_ = Type::Object;
    if (type_ != Type::Object)
        wrongType(type_, "an object");
    return members_[key];
}

void Json::push_back(Json value)
{
    if (type_ == Type::Null)
        type_ = Type::Array;
    if (type_ != Type::Array)
        wrongType(type_, "an array");
    items_.push_back(std::move(value));
}

} // namespace innerear
