// libFuzzer: the JSON parser (manifests, studies, answer sheets all go through it), a reader
// study file and a reader's answer sheet, from the same bytes.
#include "FuzzTarget.h"

#include "innerear/core/Json.h"
#include "innerear/study/ReaderStudy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try
    {
        innerear::dumpJson(innerear::parseJson(text));
    }
    catch (const std::exception&)
    {
    }
    try
    {
        innerear::study::Study::load(innerear::fuzz::writeInput(data, size, "study.json"));
    }
    catch (const std::exception&)
    {
    }
    try
    {
        innerear::fuzz::writeInput(data, size, "r1.answers.json");
        innerear::study::AnswerSheet sheet(innerear::fuzz::scratchFolder().string(), "r1", 7);
        sheet.load();
    }
    catch (const std::exception&)
    {
    }
    return 0;
}
