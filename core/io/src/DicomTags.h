#pragma once

// Small readers of DICOM attribute values out of GDCM data sets, nested ones included
// (enhanced multi-frame functional groups), for text and binary value representations.

#include <gdcmDataSet.h>
#include <gdcmTag.h>

#include <optional>
#include <string>
#include <vector>

namespace innerear::io
{

std::string trim(const std::string& text);

/// The value as text (numbers of binary VRs formatted, multiple values joined by '\').
/// GDCM has already swapped the binary values of big-endian files to native order.
std::string readString(const gdcm::DataSet& ds, const gdcm::Tag& tag);
std::vector<double> readNumbers(const gdcm::DataSet& ds, const gdcm::Tag& tag);
std::optional<double> readNumber(const gdcm::DataSet& ds, const gdcm::Tag& tag);

/// The nested data set of the first item of a sequence, or nullptr.
const gdcm::DataSet* firstItem(const gdcm::DataSet& ds, const gdcm::Tag& sequence);
std::vector<const gdcm::DataSet*> allItems(const gdcm::DataSet& ds, const gdcm::Tag& sequence);

/// Philips' private ScaleSlope (2005,100E) when its private creator is present.
std::optional<double> philipsScaleSlope(const gdcm::DataSet& ds);

} // namespace innerear::io
