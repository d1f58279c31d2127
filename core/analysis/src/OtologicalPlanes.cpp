#include "innerear/analysis/OtologicalPlanes.h"

namespace innerear::analysis
{

EarPlanes otologicalPlanes(const StructureMeasures& measures, int side)
{
    EarPlanes result;
    const std::string suffix = side == 0 ? " (right)" : " (left)";
    const EarMeasures& ear = measures.ears[side == 0 ? 0 : 1];
    if (!ear.present)
    {
        result.missing.push_back("the map marks no structure of the" +
                                 std::string(side == 0 ? " right" : " left") + " ear");
        return result;
    }
    // LPS: the patient's right is -x; "lateral" points away from the midline.
    const Vec3 lateral{ side == 0 ? -1.0 : 1.0, 0.0, 0.0 };
    if (ear.canalNormals[0] && ear.canalCentres[0])
    {
        Vec3 normal = *ear.canalNormals[0];
        if (dot(normal, lateral) < 0.0)
            normal = -1.0 * normal;
        result.planes.push_back(
          planeWithNormal("P\xc3\xb6schl" + suffix, *ear.canalCentres[0], normal));
        result.planes.push_back(planeAlong("Stenvers" + suffix, *ear.canalCentres[0], normal));
    }
    else
        result.missing.push_back("Pöschl and Stenvers need the anterior canal (label 3)");
    const CochleaMeasures& cochlea = ear.cochlea;
    const Vec3 across = cochlea.aLine[1] - cochlea.aLine[0];
    if (cochlea.found && norm(cochlea.axis) > 0.5 && norm(across) > 0.0)
    {
        const Vec3 middle = 0.5 * (cochlea.aLine[0] + cochlea.aLine[1]);
        ObliquePlane modiolar;
        modiolar.name = "Mid-modiolar" + suffix;
        modiolar.centre = middle;
        modiolar.down = -1.0 * normalized(cochlea.axis); // apex at the top
        modiolar.right = normalized(across - dot(across, modiolar.down) * modiolar.down);
        result.planes.push_back(modiolar);
        result.planes.push_back(planeWithNormal("Cochlear view" + suffix, middle, cochlea.axis));
    }
    else
        result.missing.push_back(cochlea.note.empty()
                                   ? "the modiolar planes need a measured cochlea (label 1)"
                                   : "the modiolar planes: " + cochlea.note);
    return result;
}

} // namespace innerear::analysis
