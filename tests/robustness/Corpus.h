#pragma once

// The bad-input corpus of the reliability issue: damaged and hand-made inputs, each run through
// the real command line (`cli::run`) in a forked child with a time and memory cap, and counted.
// The inputs are made here, never stored: this file declares the cases and their makers.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace innerear::corpus
{

namespace fs = std::filesystem;

/// What a correct program does with an input.
enum class Expect
{
    Refuse, ///< exit non-zero with a message
    Accept, ///< exit 0
    Either  ///< either, as long as it is clean (and passes the case's check when accepted)
};

struct Case
{
    std::string kind;              ///< the table's row: "DICOM mutant", "NIfTI header", ...
    std::string name;              ///< what was done to the input, for the failure list
    std::vector<std::string> args; ///< innerear's arguments
    Expect expect = Expect::Either;
    /// Run in the child after an exit 0: an empty string, or why the result is wrong.
    std::function<std::string(const std::string& out)> check;
    std::vector<fs::path> guarded;   ///< files that must be byte-identical afterwards (inputs)
    fs::path folder;                 ///< the case's own folder (left-over files are looked for)
    std::uint64_t fileSizeLimit = 0; ///< > 0: writes beyond this many bytes fail (a full disk)
};

/// Makers, each adding its cases under `root` (one folder per case). `random` is the corpus
/// seed's generator, so a run is reproducible.
class CorpusBuilder
{
public:
    CorpusBuilder(fs::path root, std::uint64_t seed);

    void addDicomMutants(const fs::path& sampleSeries, int count);
    void addSharedDicomMutants(const fs::path& sharedDicom, int count);
    void addNiftiHeaders(int count);
    void addMetaImageAndNrrd(int count);
    void addManifests(const fs::path& modelsFolder, int count);
    void addStudies(int count);
    void addFileSystemFaults(int count);

    std::vector<Case>& cases() { return cases_; }

private:
    fs::path newFolder(const std::string& kind);
    fs::path root_;
    std::mt19937_64 random_;
    std::vector<Case> cases_;
    int serial_ = 0;
};

// ---- Helpers the makers share (also used by the checks) --------------------------------------

std::string readBytes(const fs::path& path);
void writeBytes(const fs::path& path, const std::string& bytes);

/// A small NIfTI-1 image (int16) with a sform; fields are changed by the caller.
struct NiftiHeader
{
    std::int16_t dim[8] = { 3, 24, 20, 16, 1, 1, 1, 1 };
    float pixdim[8] = { 1, 0.5f, 0.5f, 0.6f, 1, 1, 1, 1 };
    std::int16_t datatype = 4; // int16
    std::int16_t bitpix = 16;
    float voxOffset = 352;
    float sclSlope = 1, sclInter = 0;
    std::int16_t qformCode = 1, sformCode = 1;
    float quatern[3] = { 0, 0, 0 };
    float qoffset[3] = { -6, -5, -4.8f };
    float srow[3][4] = { { 0.5f, 0, 0, -6 }, { 0, 0.5f, 0, -5 }, { 0, 0, 0.6f, -4.8f } };
    std::int32_t sizeofHdr = 348;
    char magic[4] = { 'n', '+', '1', '\0' };
};
std::string niftiBytes(const NiftiHeader& header, const std::string& voxels);
/// Voxel bytes for a header's grid (int16 values drawn from `random`); empty when the grid is
/// not sensible (the caller then writes a few bytes only).
std::string niftiVoxels(const NiftiHeader& header, std::mt19937_64& random);
void writeGzip(const fs::path& path, const std::string& bytes);

} // namespace innerear::corpus
